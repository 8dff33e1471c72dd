/// Which model made a stream's embeddings: later stages refuse to mix embeddings of different models.
public struct ModelIdentity: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A readable name, such as `clip-vit-base-patch32` or `builtin`.
    public var name: String
    /// SHA-256 of the weights file(s), so two folders with the same name but other weights differ.
    public var weightsSHA256: String
    /// Length of the L2-normalized embedding vectors.
    public var dimension: Int

    public init(name: String, weightsSHA256: String, dimension: Int) {
        self.name = name
        self.weightsSHA256 = weightsSHA256
        self.dimension = dimension
    }

    public var description: String { "\(name) (\(dimension)-d, weights \(weightsSHA256.prefix(12)))" }
}
