/// A word a caption uses, with the synset it stands for.
public struct Concept: Sendable, Hashable, Codable {
    public let text: String
    public let synset: String

    public init(text: String, synset: SynsetID) {
        self.text = text
        self.synset = synset.description
    }
}
