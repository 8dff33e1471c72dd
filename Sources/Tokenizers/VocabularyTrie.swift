/// A byte trie over a vocabulary, for WordPiece's greedy longest-match-first lookup without building
/// a string per candidate. Bytes, not `String`s, because Swift compares strings by canonical
/// equivalence and a vocabulary must match exact code points.
struct VocabularyTrie: Sendable {
    /// `(node << 8) | byte` -> child node; node 0 is the root.
    private var children: [UInt64: Int32] = [:]
    /// The token id ending at each node, or -1.
    private var tokenIDs: [Int32] = [-1]

    init(_ tokens: some Sequence<(bytes: [UInt8], id: Int)>) {
        for (bytes, id) in tokens {
            var node: Int32 = 0
            for byte in bytes {
                let key = UInt64(node) << 8 | UInt64(byte)
                if let child = children[key] {
                    node = child
                } else {
                    let child = Int32(tokenIDs.count)
                    tokenIDs.append(-1)
                    children[key] = child
                    node = child
                }
            }
            tokenIDs[Int(node)] = Int32(id)
        }
    }

    /// The id and end of the longest token that `bytes[start...]` begins with. Tokens are whole UTF-8
    /// strings, so the end is always on a character boundary.
    func longestPrefix(of bytes: [UInt8], from start: Int) -> (id: Int, end: Int)? {
        var node: Int32 = 0
        var best: (id: Int, end: Int)?
        var index = start
        while index < bytes.count, let child = children[UInt64(node) << 8 | UInt64(bytes[index])] {
            node = child
            index += 1
            let id = tokenIDs[Int(node)]
            if id >= 0 { best = (Int(id), index) }
        }
        return best
    }
}
