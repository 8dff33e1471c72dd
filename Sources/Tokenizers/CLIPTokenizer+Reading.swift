import Foundation

extension CLIPTokenizer {
    static let startOfText = "<|startoftext|>"
    static let endOfText = "<|endoftext|>"
    static let endOfWord = "</w>"

    /// Reads a Hugging Face tokenizer folder: `tokenizer.json` when present (what `AutoTokenizer`
    /// prefers), otherwise `vocab.json` + `merges.txt`.
    public convenience init(folder: URL, contextLength: Int = 77) throws(TokenizerError) {
        let json = folder.appendingPathComponent("tokenizer.json")
        let vocabURL = folder.appendingPathComponent("vocab.json")
        let mergesURL = folder.appendingPathComponent("merges.txt")
        let vocab: [String: Int]
        let merges: [(String, String)]
        let mergesFile: String
        var addedTokens: [String: Int] = [:]
        if TokenizerFile.exists(json) {
            let file = try TokenizerJSON.load(json)
            guard file.model.type == "BPE" else {
                throw .unsupported(file: json.path, reason: "model type \(file.model.type), expected BPE")
            }
            guard file.model.endOfWordSuffix == Self.endOfWord else {
                throw .unsupported(file: json.path, reason: "no \(Self.endOfWord) end_of_word_suffix: not CLIP's BPE")
            }
            vocab = file.model.vocab
            merges = (file.model.merges ?? []).map { ($0.left, $0.right) }
            mergesFile = json.path
            for token in file.addedTokens ?? [] { addedTokens[token.content] = token.id }
        } else if TokenizerFile.exists(vocabURL) || TokenizerFile.exists(mergesURL) {
            vocab = try TokenizerFile.decodeJSON([String: Int].self, from: vocabURL)
            merges = try Self.readMerges(mergesURL)
            mergesFile = mergesURL.path
        } else {
            throw .missingFiles(folder: folder.path, expected: ["tokenizer.json", "vocab.json + merges.txt"])
        }
        let vocabFile = TokenizerFile.exists(json) ? json.path : vocabURL.path
        func id(_ token: String) throws(TokenizerError) -> Int {
            guard let id = vocab[token] else { throw .missingToken(file: vocabFile, token: token) }
            return id
        }
        let bos = try id(Self.startOfText)
        let eos = try id(Self.endOfText)
        addedTokens[Self.startOfText] = bos
        addedTokens[Self.endOfText] = eos

        var byteTokens: [Int32] = []
        var finalByteTokens: [Int32] = []
        for unit in ByteLevelAlphabet.characters {
            byteTokens.append(Int32(try id(unit)))
            finalByteTokens.append(Int32(try id(unit + Self.endOfWord)))
        }
        var table: [UInt64: BPEModel.Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let leftID = vocab[left], let rightID = vocab[right], let result = vocab[left + right] else {
                throw .malformed(file: mergesFile,
                                 reason: "merge \(rank + 1) \"\(left) \(right)\" uses a token not in the vocabulary")
            }
            let key = BPEModel.pairKey(Int32(leftID), Int32(rightID))
            // A repeated merge keeps its first (best) rank, as Hugging Face does.
            if table[key] == nil { table[key] = BPEModel.Merge(rank: Int32(rank), result: Int32(result)) }
        }
        let model = BPEModel(merges: table, byteTokens: byteTokens, finalByteTokens: finalByteTokens)
        self.init(model: model, addedTokens: addedTokens, bosTokenID: bos, eosTokenID: eos,
                  contextLength: contextLength)
    }

    /// `merges.txt`: an optional `#version` line, then one `left right` pair per line, best first.
    private static func readMerges(_ url: URL) throws(TokenizerError) -> [(String, String)] {
        let text = try TokenizerFile.readText(url)
        var merges: [(String, String)] = []
        for (index, line) in TokenizerFile.split(text, on: UInt8(ascii: "\n")).enumerated() {
            let line = line.utf8.last == UInt8(ascii: "\r")
                ? String(decoding: line.utf8.dropLast(), as: UTF8.self) : line
            if line.isEmpty || (index == 0 && line.utf8.starts(with: "#version".utf8)) { continue }
            let parts = TokenizerFile.split(line, on: UInt8(ascii: " "))
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .malformed(file: url.path, reason: "line \(index + 1) is not two tokens separated by a space")
            }
            merges.append((parts[0], parts[1]))
        }
        return merges
    }
}
