/// A word a caption uses, with the synset it stands for.
public struct Concept: Sendable, Hashable, Codable {
    public let text: String
    public let synset: String

    public init(text: String, synset: SynsetID) {
        self.text = text
        self.synset = synset.description
    }

    /// A phrase from outside WordNet's inventory (a chat model's answer): its synset when WordNet
    /// knows the phrase as a noun, else empty.
    public init(phrase: String, synset: SynsetID?) {
        text = phrase
        self.synset = synset?.description ?? ""
    }
}
