/// An accepted gap: a unit vector just outside the ID support, how it was made, and where it sits.
public struct GapPoint: Sendable {
    public var vector: [Float]
    public var method: String
    /// The sampler's parameters and this point's own details.
    public var parameters: [String: String]
    /// ID rows it was made from.
    public var sources: [Int]
    /// 1 - cosine to the k-th nearest ID embedding.
    public var knnDistance: Float
    /// Percent of ID points whose own k-th-NN distance is at most `knnDistance`.
    public var percentile: Double
    /// The nearest class prototypes, most similar first.
    public var nearestClasses: [(label: Int, similarity: Float)]
}
