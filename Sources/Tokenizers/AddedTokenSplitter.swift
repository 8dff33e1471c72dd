/// Finds a tokenizer's added tokens (`<|endoftext|>`, `[MASK]`, ...) in raw text before any
/// normalization, as Hugging Face does for tokens saved with `normalized: false`: they become their id
/// directly, and the text between them is tokenized on its own.
struct AddedTokenSplitter: Sendable {
    enum Segment {
        case text(Substring)
        case token(Int)
    }

    private let tokens: [(bytes: [UInt8], id: Int)]
    private var firstBytes = [Bool](repeating: false, count: 256)

    init(tokens: [String: Int]) {
        // Longest first, so that at one position the longest token wins (leftmost-longest matching).
        self.tokens = tokens.map { (Array($0.key.utf8), $0.value) }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count != $1.0.count ? $0.0.count > $1.0.count : $0.0.lexicographicallyPrecedes($1.0) }
        for token in self.tokens { firstBytes[Int(token.bytes[0])] = true }
    }

    func segments(of text: String) -> [Segment] {
        let utf8 = text.utf8
        var segments: [Segment] = []
        var textStart = utf8.startIndex
        var index = utf8.startIndex
        while index != utf8.endIndex {
            if firstBytes[Int(utf8[index])], let (id, end) = match(utf8, at: index) {
                if textStart != index { segments.append(.text(text[textStart..<index])) }
                segments.append(.token(id))
                index = end
                textStart = end
            } else {
                utf8.formIndex(after: &index)
            }
        }
        if textStart != utf8.endIndex { segments.append(.text(text[textStart...])) }
        return segments
    }

    private func match(_ utf8: String.UTF8View, at start: String.Index) -> (Int, String.Index)? {
        for token in tokens {
            var index = start
            var matched = true
            for byte in token.bytes {
                guard index != utf8.endIndex, utf8[index] == byte else { matched = false; break }
                utf8.formIndex(after: &index)
            }
            if matched { return (token.id, index) }
        }
        return nil
    }
}
