/// What `gaps` learned about the ID set, carried in the stream header for `caption`, `filter` and
/// `evaluate`: the class prototypes and how dense the ID set is (its k-th-NN distance distribution and
/// the window a gap must fall in).
public struct IDStatistics: Codable, Sendable, Equatable {
    /// `image` (img.npy) or `text` (txt.npy).
    public var space: String
    /// ID embeddings used.
    public var count: Int
    /// Neighbours for the k-th-NN distance (1 - cosine).
    public var k: Int
    /// Unit mean embedding of each class, indexed like the header's `classes`; empty for a class that
    /// had too few usable samples.
    public var prototypes: [[Float]]
    /// The 0th, 1st, ..., 100th percentiles of the ID points' own k-th-NN distances.
    public var knnDistancePercentiles: [Float]
    /// Gaps lie beyond this percentile of the ID distances ...
    public var supportPercentile: Double
    /// ... which is this distance ...
    public var supportDistance: Float
    /// ... and below this distance.
    public var farDistance: Float

    public init(space: String, count: Int, k: Int, prototypes: [[Float]], knnDistancePercentiles: [Float],
                supportPercentile: Double, supportDistance: Float, farDistance: Float) {
        (self.space, self.count, self.k, self.prototypes) = (space, count, k, prototypes)
        (self.knnDistancePercentiles, self.supportPercentile) = (knnDistancePercentiles, supportPercentile)
        (self.supportDistance, self.farDistance) = (supportDistance, farDistance)
    }

    enum CodingKeys: String, CodingKey {
        case space, count, k, prototypes
        case knnDistancePercentiles = "knn_distance_percentiles", supportPercentile = "support_percentile"
        case supportDistance = "support_distance", farDistance = "far_distance"
    }
}
