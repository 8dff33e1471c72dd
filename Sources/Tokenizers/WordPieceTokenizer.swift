import Foundation

/// BERT's uncased WordPiece tokenizer (all-MiniLM-L6-v2's), id for id the Hugging Face one.
/// `encode` gives `[CLS] ... [SEP]`, at most `maxLength` ids: longer texts keep their first
/// `maxLength - 2` tokens, like `tokenizer(text, truncation=True, max_length=maxLength)`.
public struct WordPieceTokenizer: Sendable {
    public let clsTokenID: Int
    public let sepTokenID: Int
    public let padTokenID: Int
    public let unknownTokenID: Int
    /// Longer words become one `[UNK]` without being looked at.
    public let maxCharactersPerWord: Int

    private let wordStarts: VocabularyTrie
    /// The `##` pieces, with the prefix removed.
    private let continuations: VocabularyTrie
    private let addedTokens: AddedTokenSplitter

    init(vocab: [String: Int], continuationPrefix: String, addedTokens: [String: Int], clsTokenID: Int,
         sepTokenID: Int, padTokenID: Int, unknownTokenID: Int, maxCharactersPerWord: Int) {
        wordStarts = VocabularyTrie(vocab.lazy.map { (Array($0.key.utf8), $0.value) })
        continuations = VocabularyTrie(vocab.lazy.filter { $0.key.utf8.starts(with: continuationPrefix.utf8) }
            .map { (Array($0.key.utf8.dropFirst(continuationPrefix.utf8.count)), $0.value) })
        self.addedTokens = AddedTokenSplitter(tokens: addedTokens)
        self.clsTokenID = clsTokenID
        self.sepTokenID = sepTokenID
        self.padTokenID = padTokenID
        self.unknownTokenID = unknownTokenID
        self.maxCharactersPerWord = maxCharactersPerWord
    }

    public func encode(_ text: String, maxLength: Int = 256) -> [Int] {
        let limit = max(2, maxLength) - 1  // CLS plus the content tokens that fit before SEP
        var ids = [clsTokenID]
        for segment in addedTokens.segments(of: text) {
            guard ids.count < limit else { break }
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let text):
                BertBasicTokenizer.forEachWord(in: text) { word, length in
                    appendPieces(of: word, length: length, to: &ids)
                    return ids.count < limit
                }
            }
        }
        if ids.count > limit { ids.removeLast(ids.count - limit) }
        ids.append(sepTokenID)
        return ids
    }

    /// Greedy longest-match-first: the longest vocabulary entry at the word's start, then the longest
    /// `##` entry at each following position; a word with any unmatched position is one `[UNK]`.
    private func appendPieces(of word: [UInt8], length: Int, to ids: inout [Int]) {
        guard length <= maxCharactersPerWord else {
            ids.append(unknownTokenID)
            return
        }
        let wordStart = ids.count
        var start = 0
        while start < word.count {
            let match = start == 0
                ? wordStarts.longestPrefix(of: word, from: start)
                : continuations.longestPrefix(of: word, from: start)
            guard let (id, end) = match else {
                ids.removeLast(ids.count - wordStart)
                ids.append(unknownTokenID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}
