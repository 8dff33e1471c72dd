/// A point a sampler proposes, before the density test: where it is and how it was made.
public struct GapCandidate: Sendable {
    public var vector: [Float]
    public var method: String
    /// The sampler's parameters for this point (those that vary per point, such as alpha).
    public var details: [String: String]
    /// ID rows it was made from.
    public var sources: [Int]

    public init(vector: [Float], method: String, details: [String: String] = [:], sources: [Int]) {
        self.vector = vector
        self.method = method
        self.details = details
        self.sources = sources
    }
}
