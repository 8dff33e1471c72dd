import Foundation
import OODCore

/// `interpolate` (semantic interpolation): between the prototypes of neighbouring classes, nearest
/// pairs first, a slerp at alpha in (`minAlpha`, `maxAlpha`); and, every other point, an extrapolation
/// that pushes past a prototype away from its neighbour (t in (1 + `minPush`, 1 + `maxPush`) along
/// the great circle). The density test keeps the points that land in a low-density valley. Where
/// classes overlap, a push of half the way rarely leaves the support, so each later round (asked for
/// when too few points passed) pushes farther: round r scales the push range by 1 + r/2.
public struct InterpolationSampler: GapSampler {
    public var neighbours = 3
    public var minAlpha = 0.3
    public var maxAlpha = 0.7
    public var minPush = 0.1
    public var maxPush = 0.5

    public init() {}

    public var name: String { "interpolate" }

    public var parameters: [String: String] {
        ["neighbours": String(neighbours), "alpha": "\(minAlpha)-\(maxAlpha)", "push": "\(minPush)-\(maxPush)"]
    }

    /// (a, b) class pairs: each class with its `neighbours` most similar classes, most similar pairs
    /// first, each unordered pair once.
    func pairs(_ set: IDSet) -> [(a: Int, b: Int, similarity: Float)] {
        var seen = Set<[Int]>()
        var result: [(a: Int, b: Int, similarity: Float)] = []
        for a in set.classes {
            guard let pa = set.prototypes[a] else { continue }
            let others = set.classes.filter { $0 != a }.compactMap { b in set.prototypes[b].map { (b, UnitVector.dot(pa, $0)) } }
            for (b, similarity) in others.sorted(by: { ($0.1, $1.0) > ($1.1, $0.0) }).prefix(neighbours) {
                let key = [min(a, b), max(a, b)]
                if seen.insert(key).inserted { result.append((key[0], key[1], similarity)) }
            }
        }
        return result.sorted { ($0.similarity, $1.a, $1.b) > ($1.similarity, $0.a, $0.b) }
    }

    public func propose(_ count: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int) throws(GapsError) -> [GapCandidate] {
        let pairs = pairs(set)
        guard !pairs.isEmpty else { return [] }
        var random = SeededGenerator(seed: seed, key: "interpolate/\(round)")
        let medoids = Dictionary(uniqueKeysWithValues: set.classes.compactMap { label -> (Int, Int)? in
            guard let prototype = set.prototypes[label], let rows = set.members[label] else { return nil }
            return rows.max { (UnitVector.dot(prototype, row: $0, in: set), $1) < (UnitVector.dot(prototype, row: $1, in: set), $0) }.map { (label, $0) }
        })
        var proposals: [GapCandidate] = []
        for index in 0..<count {
            let pair = pairs[index % pairs.count]
            guard let pa = set.prototypes[pair.a], let pb = set.prototypes[pair.b] else { continue }
            let extrapolate = (index / pairs.count + round) % 2 == 1
            let point: [Float]?
            var details = ["classes": "\(set.classNames[pair.a])|\(set.classNames[pair.b])"]
            if extrapolate {
                // Past one prototype, away from the other: which one alternates with the index.
                let (from, to) = index % 2 == 0 ? (pb, pa) : (pa, pb)
                let reach = 1 + Double(round) / 2
                let t = 1 + reach * (minPush + (maxPush - minPush) * random.nextUniform())
                point = UnitVector.slerp(from, to, t)
                details["mode"] = "extrapolate"
                details["t"] = String(format: "%.3f", t)
            } else {
                let alpha = minAlpha + (maxAlpha - minAlpha) * random.nextUniform()
                point = UnitVector.slerp(pa, pb, alpha)
                details["mode"] = "interpolate"
                details["alpha"] = String(format: "%.3f", alpha)
            }
            guard let point else { continue }
            proposals.append(GapCandidate(vector: point, method: name, details: details,
                                          sources: [medoids[pair.a], medoids[pair.b]].compactMap { $0 }))
        }
        return proposals
    }
}
