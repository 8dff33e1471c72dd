import Foundation

extension WordPieceTokenizer {
    private static let specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// Reads a Hugging Face BERT tokenizer folder: `tokenizer.json` when present (what `AutoTokenizer`
    /// prefers), otherwise `vocab.txt` with an optional `tokenizer_config.json`. Cased or accent-keeping
    /// configurations are refused rather than tokenized differently from the reference.
    public init(folder: URL) throws(TokenizerError) {
        let json = folder.appendingPathComponent("tokenizer.json")
        let vocabURL = folder.appendingPathComponent("vocab.txt")
        let vocab: [String: Int]
        let vocabFile: String
        var unknown = "[UNK]"
        var prefix = "##"
        var maxCharacters = 100
        var addedTokens: [String: Int] = [:]
        if TokenizerFile.exists(json) {
            let file = try TokenizerJSON.load(json)
            guard file.model.type == "WordPiece" else {
                throw .unsupported(file: json.path, reason: "model type \(file.model.type), expected WordPiece")
            }
            guard let normalizer = file.normalizer, normalizer.type == "BertNormalizer",
                  normalizer.lowercase != false, normalizer.stripAccents != false,
                  normalizer.cleanText != false, normalizer.handleChineseChars != false else {
                throw .unsupported(file: json.path,
                                   reason: "only uncased BertNormalizer with default options is implemented")
            }
            vocab = file.model.vocab
            vocabFile = json.path
            unknown = file.model.unkToken ?? unknown
            prefix = file.model.continuingSubwordPrefix ?? prefix
            maxCharacters = file.model.maxInputCharsPerWord ?? maxCharacters
            for token in file.addedTokens ?? [] { addedTokens[token.content] = token.id }
        } else if TokenizerFile.exists(vocabURL) {
            vocab = try Self.readVocab(vocabURL)
            vocabFile = vocabURL.path
            try Self.checkConfig(folder.appendingPathComponent("tokenizer_config.json"))
            for token in Self.specialTokens { addedTokens[token] = vocab[token] }
        } else {
            throw .missingFiles(folder: folder.path, expected: ["tokenizer.json", "vocab.txt"])
        }
        func id(_ token: String) throws(TokenizerError) -> Int {
            guard let id = vocab[token] else { throw .missingToken(file: vocabFile, token: token) }
            return id
        }
        self.init(vocab: vocab, continuationPrefix: prefix, addedTokens: addedTokens,
                  clsTokenID: try id("[CLS]"), sepTokenID: try id("[SEP]"), padTokenID: try id("[PAD]"),
                  unknownTokenID: try id(unknown), maxCharactersPerWord: maxCharacters)
    }

    /// One token per line, its id the line number from 0 (a repeated token keeps its last line).
    private static func readVocab(_ url: URL) throws(TokenizerError) -> [String: Int] {
        let text = try TokenizerFile.readText(url)
        var lines = TokenizerFile.split(text, on: UInt8(ascii: "\n"))
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw .malformed(file: url.path, reason: "no tokens") }
        var vocab: [String: Int] = [:]
        for (index, line) in lines.enumerated() { vocab[line] = index }
        return vocab
    }

    private struct Config: Decodable {
        let doLowerCase: Bool?
        let stripAccents: Bool?
        let tokenizeChineseChars: Bool?

        enum CodingKeys: String, CodingKey {
            case doLowerCase = "do_lower_case"
            case stripAccents = "strip_accents"
            case tokenizeChineseChars = "tokenize_chinese_chars"
        }
    }

    private static func checkConfig(_ url: URL) throws(TokenizerError) {
        guard TokenizerFile.exists(url) else { return }
        let config = try TokenizerFile.decodeJSON(Config.self, from: url)
        guard config.doLowerCase != false, config.stripAccents != false, config.tokenizeChineseChars != false else {
            throw .unsupported(file: url.path,
                               reason: "only uncased BERT (lower case, accents stripped, CJK split) is implemented")
        }
    }
}
