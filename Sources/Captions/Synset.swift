/// One WordNet synset: its words (lemmas as the database spells them, `_` between words), the
/// pointers to related synsets, and its gloss.
public struct Synset: Sendable {
    public struct Pointer: Sendable, Equatable {
        /// WordNet's pointer symbol: `@` hypernym, `@i` instance hypernym, `~` hyponym, `~i` instance
        /// hyponym, `%p` part meronym, `#p` part holonym, `&` similar to, `!` antonym, ...
        public let symbol: String
        public let target: SynsetID
        /// Source and target word numbers (0 0 for a relation between whole synsets).
        public let sourceWord: Int
        public let targetWord: Int
    }

    public let id: SynsetID
    /// Lexicographer file number (noun.animal is 5, noun.artifact 6, adj.all 0, ...).
    public let lexFile: Int
    /// True for adjective satellites (type `s`).
    public let isSatellite: Bool
    public let words: [String]
    public let pointers: [Pointer]
    public let gloss: String

    /// The words as text: underscores become spaces, adjective markers such as `(a)` are dropped.
    public var lemmas: [String] {
        words.map { word in
            var text = word.replacingOccurrences(of: "_", with: " ")
            if let open = text.firstIndex(of: "("), text.hasSuffix(")") { text = String(text[..<open]) }
            return text
        }
    }

    /// Targets of the pointers with any of `symbols`, in database order, without repeats.
    public func targets(_ symbols: Set<String>) -> [SynsetID] {
        var seen = Set<SynsetID>()
        return pointers.filter { symbols.contains($0.symbol) && seen.insert($0.target).inserted }.map(\.target)
    }
}
