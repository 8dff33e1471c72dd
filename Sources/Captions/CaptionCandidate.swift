/// The template families of counterfactual captions (METHODS.md).
public enum CaptionFamily: String, Sendable, CaseIterable, Codable {
    /// "a photo of a lighthouse": a concept that is not in the data.
    case novel
    /// "a bird with the wheel of a tractor": one thing with the part of another.
    case hybrid
    /// "a teapot made of ice".
    case material
    /// "a bird in a canyon".
    case context
    /// "a furry kettle".
    case attribute
    /// "a cross between a bird and a flag": between the two nearest ID classes.
    case interpolation
}

/// One generated caption and what it is made of.
public struct CaptionCandidate: Sendable, Equatable {
    public let text: String
    public let family: CaptionFamily
    /// The WordNet concepts it names (not counting ID class names).
    public let concepts: [Concept]
    /// The ID class names it modifies or blends, if any.
    public let classes: [String]
    /// Where its new concept came from.
    public var source: CaptionSource = .wordnet
}
