import LinearAlgebra
import OODCore

/// Runs samplers until each has contributed its share of accepted gap points: candidates whose
/// k-th-NN distance to the ID set lies in the density window (beyond the support percentile, below the
/// far limit). Rejections are counted by reason; if a sampler cannot fill its share within
/// `maxRounds`, the search returns what it found and says so.
public struct GapSearch {
    public let set: IDSet
    public let density: IDDensity
    public var maxRounds = 20
    /// Nearest classes reported per gap.
    public var nearestCount = 3

    public init(set: IDSet, density: IDDensity) {
        self.set = set
        self.density = density
    }

    public struct Outcome {
        public var points: [GapPoint] = []
        public var proposed = 0
        public var rejected: [String: Int] = [:]
        /// Samplers that fell short: (name, found, wanted).
        public var shortfalls: [(name: String, found: Int, wanted: Int)] = []
    }

    /// `count` points split evenly over `samplers` (the first ones take the remainder).
    public func run(_ samplers: [GapSampler], count: Int, seed: UInt64, progress: (String) -> Void = { _ in }) throws(GapsError) -> Outcome {
        var outcome = Outcome()
        for (position, sampler) in samplers.enumerated() {
            let wanted = count / samplers.count + (position < count % samplers.count ? 1 : 0)
            var found = 0
            var round = 0
            var asked = 0
            while found < wanted && round < maxRounds {
                // Ask for what is missing over the acceptance rate seen so far (all of it at first):
                // samplers whose candidates mostly pass cost no more than needed, the others ask more.
                let missing = wanted - found
                let rate = asked == 0 ? 1 : max(Double(found) / Double(asked), 0.1)
                let ask = min(max(Int((Double(missing) / rate * 1.25).rounded(.up)), missing), missing * 10)
                let (candidates, unmade) = try sampler.propose(ask, needed: missing, set: set, density: density, seed: seed, round: round)
                round += 1
                asked += candidates.count + unmade
                outcome.proposed += candidates.count + unmade
                guard !candidates.isEmpty else { break }
                let matrix = Matrix(rows: candidates.count, columns: set.dimension)
                for (row, candidate) in candidates.enumerated() {
                    matrix.pointer(row: row).update(from: candidate.vector, count: set.dimension)
                }
                let distances = try density.distances(matrix)
                for (candidate, distance) in zip(candidates, distances) where found < wanted {
                    guard distance > density.lower else { outcome.rejected["inside-support", default: 0] += 1; continue }
                    guard distance < density.far else { outcome.rejected["too-far", default: 0] += 1; continue }
                    outcome.points.append(point(candidate, distance: distance, parameters: sampler.parameters))
                    found += 1
                }
                progress("gaps: \(sampler.name) \(found)/\(wanted)")
            }
            if found < wanted { outcome.shortfalls.append((sampler.name, found, wanted)) }
        }
        return outcome
    }

    private func point(_ candidate: GapCandidate, distance: Float, parameters: [String: String]) -> GapPoint {
        let scores = set.classes.compactMap { label in set.prototypes[label].map { (label: label, similarity: UnitVector.dot(candidate.vector, $0)) } }
        let nearest = scores.sorted { ($0.similarity, $1.label) > ($1.similarity, $0.label) }.prefix(nearestCount)
        return GapPoint(
            vector: candidate.vector, method: candidate.method,
            parameters: parameters.merging(candidate.details) { $1 }, sources: candidate.sources,
            knnDistance: distance, percentile: density.percentile(distance), nearestClasses: Array(nearest))
    }
}
