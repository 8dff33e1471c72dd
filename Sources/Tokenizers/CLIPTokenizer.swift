import Foundation
import Synchronization

/// CLIP's byte-level BPE tokenizer, id for id the Hugging Face one (`CLIPTokenizer` in transformers 5,
/// which is what `AutoTokenizer` and `CLIPProcessor` load: tokenizers-backed, no ftfy).
/// `encode` gives `<|startoftext|> ... <|endoftext|>`, at most `contextLength` ids: longer texts keep
/// their first `contextLength - 2` tokens, like `tokenizer(text, truncation=True, max_length=77)`.
public final class CLIPTokenizer: Sendable {
    public let bosTokenID: Int
    public let eosTokenID: Int
    public let contextLength: Int

    private let model: BPEModel
    private let addedTokens: AddedTokenSplitter
    /// Word bytes -> token ids. Captions repeat words, and a hit skips the whole merge loop.
    private let cache = Mutex<[[UInt8]: [Int32]]>([:])
    private static let cacheCapacity = 100_000

    init(model: BPEModel, addedTokens: [String: Int], bosTokenID: Int, eosTokenID: Int, contextLength: Int) {
        self.model = model
        self.addedTokens = AddedTokenSplitter(tokens: addedTokens)
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.contextLength = max(2, contextLength)
    }

    public func encode(_ text: String) -> [Int] {
        let limit = contextLength - 1  // BOS plus the content tokens that fit before EOS
        var ids = [bosTokenID]
        ids.reserveCapacity(contextLength)
        var word: [UInt8] = []
        for segment in addedTokens.segments(of: text) {
            guard ids.count < limit else { break }
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let text):
                CLIPPreTokenizer.forEachWord(in: CLIPPreTokenizer.normalize(text)) { scalars in
                    word.removeAll(keepingCapacity: true)
                    for scalar in scalars { word.append(contentsOf: scalar.utf8) }
                    for token in tokens(ofWord: word) { ids.append(Int(token)) }
                    return ids.count < limit
                }
            }
        }
        if ids.count > limit { ids.removeLast(ids.count - limit) }
        ids.append(eosTokenID)
        return ids
    }

    private func tokens(ofWord word: [UInt8]) -> [Int32] {
        if let hit = cache.withLock({ $0[word] }) { return hit }
        let tokens = model.encode(word)
        cache.withLock { cache in
            if cache.count < Self.cacheCapacity { cache[word] = tokens }
        }
        return tokens
    }
}
