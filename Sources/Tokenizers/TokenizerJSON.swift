import Foundation

/// The parts of a Hugging Face `tokenizer.json` that the tokenizers here read; the rest of the file
/// (decoder, post-processor, padding) describes behaviour they implement natively.
struct TokenizerJSON: Decodable {
    struct AddedToken: Decodable {
        let id: Int
        let content: String
    }

    /// A merge is written `"a b"` by older files and `["a", "b"]` by newer ones.
    struct MergePair: Decodable {
        let left: String
        let right: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let line = try? container.decode(String.self) {
                let parts = TokenizerFile.split(line, on: UInt8(ascii: " "))
                guard parts.count == 2 else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "merge \"\(line)\" is not two tokens")
                }
                (left, right) = (parts[0], parts[1])
            } else {
                let parts = try container.decode([String].self)
                guard parts.count == 2 else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "merge \(parts) is not two tokens")
                }
                (left, right) = (parts[0], parts[1])
            }
        }
    }

    struct Model: Decodable {
        let type: String
        let vocab: [String: Int]
        let merges: [MergePair]?
        let unkToken: String?
        let continuingSubwordPrefix: String?
        let endOfWordSuffix: String?
        let maxInputCharsPerWord: Int?

        enum CodingKeys: String, CodingKey {
            case type, vocab, merges
            case unkToken = "unk_token"
            case continuingSubwordPrefix = "continuing_subword_prefix"
            case endOfWordSuffix = "end_of_word_suffix"
            case maxInputCharsPerWord = "max_input_chars_per_word"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Old files omit the type of a BPE model; other models (Unigram) keep their vocabulary
            // in another shape, so it is only decoded for the two kinds the caller can check.
            type = try container.decodeIfPresent(String.self, forKey: .type) ?? "BPE"
            vocab = ["BPE", "WordPiece"].contains(type) ? try container.decode([String: Int].self, forKey: .vocab) : [:]
            merges = try container.decodeIfPresent([MergePair].self, forKey: .merges)
            unkToken = try container.decodeIfPresent(String.self, forKey: .unkToken)
            continuingSubwordPrefix = try container.decodeIfPresent(String.self, forKey: .continuingSubwordPrefix)
            endOfWordSuffix = try container.decodeIfPresent(String.self, forKey: .endOfWordSuffix)
            maxInputCharsPerWord = try container.decodeIfPresent(Int.self, forKey: .maxInputCharsPerWord)
        }
    }

    /// Only BERT's normalizer is inspected (WordPieceTokenizer checks its options).
    struct Normalizer: Decodable {
        let type: String
        let cleanText: Bool?
        let handleChineseChars: Bool?
        let stripAccents: Bool?
        let lowercase: Bool?

        enum CodingKeys: String, CodingKey {
            case type, lowercase
            case cleanText = "clean_text"
            case handleChineseChars = "handle_chinese_chars"
            case stripAccents = "strip_accents"
        }
    }

    let model: Model
    let addedTokens: [AddedToken]?
    let normalizer: Normalizer?

    enum CodingKeys: String, CodingKey {
        case model, normalizer
        case addedTokens = "added_tokens"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(Model.self, forKey: .model)
        addedTokens = try container.decodeIfPresent([AddedToken].self, forKey: .addedTokens)
        // A CLIP file's normalizer is a Sequence with another shape; only a BERT one is needed.
        normalizer = try? container.decodeIfPresent(Normalizer.self, forKey: .normalizer)
    }

    static func load(_ url: URL) throws(TokenizerError) -> TokenizerJSON {
        try TokenizerFile.decodeJSON(TokenizerJSON.self, from: url)
    }
}
