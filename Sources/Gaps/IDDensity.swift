import LinearAlgebra
import OODCore

/// How densely the ID set fills the sphere around any point: the distance (1 - cosine) to its k-th
/// nearest ID embedding, set against the ID points' own k-th-NN distances. A gap must lie beyond the
/// `lowerQuantile` of those (outside the support) and below `far` (near it, not random noise).
public struct IDDensity: Sendable {
    public let k: Int
    public let index: KNNIndex
    /// The ID points' own k-th-NN distances (self excluded), ascending.
    public let sortedDistances: [Float]
    public let lowerQuantile: Double
    /// The ID distance at `lowerQuantile`: gaps lie beyond it.
    public let lower: Float
    /// The median k-th-NN distance of random directions on the sphere.
    public let randomMedian: Float
    /// Gaps lie below it: by default halfway from `lower` to `randomMedian`.
    public let far: Float

    /// The k a set of `count` points can have: at least 1, below `count`.
    public static func effectiveK(_ k: Int, count: Int) -> Int { max(1, min(k, count - 1)) }

    /// `selfDistances`, when given, are the set's own k-th-NN distances in row order, computed
    /// elsewhere (`KNNIndex.selfKthDistances(k:rows:)` blocks on a cluster) with this same k.
    public init(set: IDSet, k: Int, lowerQuantile: Double = 0.95, far: Float? = nil, seed: UInt64,
                selfDistances: [Float]? = nil) throws(GapsError) {
        guard (0.5..<1).contains(lowerQuantile) else {
            throw .invalidParameter("the support percentile must be in [50, 100), got \(lowerQuantile * 100)")
        }
        let k = Self.effectiveK(k, count: set.count)
        self.k = k
        index = KNNIndex(vectors: set.vectors)
        if let selfDistances {
            guard selfDistances.count == set.count else {
                throw .invalidParameter("\(selfDistances.count) precomputed k-th-NN distances for an ID set of \(set.count)")
            }
            sortedDistances = selfDistances.sorted()
        } else {
            sortedDistances = try index.selfKthDistances(k: k).sorted()
        }
        self.lowerQuantile = lowerQuantile
        lower = Self.quantile(sortedDistances, lowerQuantile)
        // Random directions: how far "nowhere in particular" is from this ID set.
        var random = SeededGenerator(seed: seed, key: "random-directions")
        let probes = Matrix(rows: 256, columns: set.dimension)
        for row in 0..<probes.rows {
            let values = (0..<set.dimension).map { _ in Float(random.nextNormal()) }
            probes.pointer(row: row).update(from: UnitVector.normalized(values) ?? values, count: set.dimension)
        }
        let randomDistances = try index.search(probes, k: k).kthDistances.sorted()
        randomMedian = Self.quantile(randomDistances, 0.5)
        let limit = far ?? (lower + (randomMedian - lower) / 2)
        guard limit > lower else {
            throw .invalidParameter("the far limit \(limit) must exceed the support boundary \(lower)")
        }
        self.far = limit
    }

    /// k-th-NN distance of each row of `points` to the ID set.
    public func distances(_ points: Matrix) throws(GapsError) -> [Float] {
        try index.search(points, k: k).kthDistances
    }

    /// Percent of ID points whose own k-th-NN distance is at most `distance`.
    public func percentile(_ distance: Float) -> Double {
        var low = 0, high = sortedDistances.count
        while low < high {
            let middle = (low + high) / 2
            if sortedDistances[middle] <= distance { low = middle + 1 } else { high = middle }
        }
        return 100 * Double(low) / Double(max(sortedDistances.count, 1))
    }

    /// Whether a k-th-NN distance is just outside the support.
    public func accepts(_ distance: Float) -> Bool { distance > lower && distance < far }

    /// The 0th, 1st, ..., 100th percentiles of the ID distances, for the stream header.
    public var percentileTable: [Float] {
        (0...100).map { Self.quantile(sortedDistances, Double($0) / 100) }
    }

    /// The q-quantile of ascending values by linear interpolation between order statistics (numpy's
    /// default).
    public static func quantile(_ sorted: [Float], _ q: Double) -> Float {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let fraction = Float(position - Double(low))
        return sorted[low] + (sorted[high] - sorted[low]) * fraction
    }
}
