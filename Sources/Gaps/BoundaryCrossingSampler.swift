import Foundation
import OODCore

/// `boundary-crossing` (BOOD, ICML 2025): a cosine classifier on the class prototypes (logits =
/// cosine / temperature). From a pool of random ID points per class, each takes normalized gradient
/// steps that raise its cross-entropy until the predicted class flips; the points that flip in the
/// fewest steps lie on the boundary, and they take `extraSteps` more steps past it. Where classes
/// overlap, a few steps past the boundary are still inside the support, so each later round (asked for
/// when too few points passed) steps farther: round r takes extraSteps·2^r steps past it (at most maxSteps).
public struct BoundaryCrossingSampler: GapSampler {
    public var temperature: Float = 0.1
    /// Angle of one step on the sphere, in radians.
    public var stepSize: Float = 0.02
    public var maxSteps = 100
    public var extraSteps = 2
    /// Pool of starting points per needed point.
    public var poolFactor = 4

    public init() {}

    public var name: String { "boundary-crossing" }

    public var parameters: [String: String] {
        ["temperature": String(temperature), "step-size": String(stepSize), "max-steps": String(maxSteps),
         "extra-steps": String(extraSteps), "pool-factor": String(poolFactor)]
    }

    public func propose(_ count: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int) throws(GapsError) -> [GapCandidate] {
        let classes = set.classes
        let prototypes = classes.compactMap { set.prototypes[$0] }
        guard prototypes.count == classes.count, classes.count >= 2 else { return [] }
        var proposals: [GapCandidate] = []
        for (label, needed) in perClass(count, classes: classes, round: round) {
            guard let rows = set.members[label], let target = classes.firstIndex(of: label) else { continue }
            var random = SeededGenerator(seed: seed, key: "boundary-crossing/\(round)/\(label)")
            let pool = random.sample(min(rows.count, needed * poolFactor), from: rows.count).map { rows[$0] }
            var walks: [(row: Int, steps: Int, point: [Float])] = []
            for row in pool {
                var point = Array(UnsafeBufferPointer(start: set.vectors.pointer(row: row), count: set.dimension))
                var steps = 0
                while steps < maxSteps, predict(point, prototypes) == target {
                    point = step(point, target: target, prototypes)
                    steps += 1
                }
                guard steps < maxSteps || predict(point, prototypes) != target else { continue }
                walks.append((row, steps, point))
            }
            let beyond = min(extraSteps << min(round, 16), maxSteps)
            for walk in walks.sorted(by: { ($0.steps, $0.row) < ($1.steps, $1.row) }).prefix(needed) {
                var point = walk.point
                for _ in 0..<beyond { point = step(point, target: target, prototypes) }
                proposals.append(GapCandidate(vector: point, method: name,
                                              details: ["steps-to-flip": String(walk.steps), "steps-beyond": String(beyond)],
                                              sources: [walk.row]))
            }
        }
        return proposals
    }

    func predict(_ point: [Float], _ prototypes: [[Float]]) -> Int {
        let scores = prototypes.map { UnitVector.dot(point, $0) }
        return scores.indices.max { (scores[$0], $1) < (scores[$1], $0) } ?? 0
    }

    /// One step up the cross-entropy of class `target`: its gradient (softmax-weighted prototypes minus
    /// the target prototype, over the temperature), normalized to `stepSize`, then back onto the sphere.
    func step(_ point: [Float], target: Int, _ prototypes: [[Float]]) -> [Float] {
        let logits = prototypes.map { Double(UnitVector.dot(point, $0) / temperature) }
        let top = logits.max() ?? 0
        let weights = logits.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        var gradient = [Float](repeating: 0, count: point.count)
        for (index, prototype) in prototypes.enumerated() {
            let weight = Float(weights[index] / total) - (index == target ? 1 : 0)
            for column in gradient.indices { gradient[column] += weight * prototype[column] }
        }
        guard let direction = UnitVector.normalized(gradient) else { return point }
        return UnitVector.normalized(zip(point, direction).map { $0 + stepSize * $1 }) ?? point
    }
}
