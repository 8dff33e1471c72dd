import Foundation
import Testing
@testable import Tokenizers

/// Ids from transformers' CLIPTokenizer (`tok(text, truncation=True, max_length=77)`), made by
/// scripts/make-tokenizer-goldens.py into Resources/clip-golden.json.
@Suite struct CLIPTokenizerTests {
    static let tokenizer = Result { try CLIPTokenizer(folder: Fixtures.clipFolder) }

    private func expectGoldens(_ tokenizer: CLIPTokenizer, limit: Int? = nil) throws {
        let goldens = try Fixtures.goldens("clip-golden.json")
        #expect(goldens.count > 300)
        for golden in goldens.prefix(limit ?? goldens.count) {
            let ids = tokenizer.encode(golden.text)
            #expect(ids == golden.ids, "text \(golden.text.debugDescription)")
        }
    }

    @Test func matchesReferenceFromTokenizerJSON() throws {
        try expectGoldens(try Self.tokenizer.get())
    }

    @Test func matchesReferenceFromVocabAndMerges() throws {
        let folder = try Fixtures.folder(copying: ["vocab.json", "merges.txt"], from: Fixtures.clipFolder)
        try expectGoldens(try CLIPTokenizer(folder: folder))
    }

    /// Older tokenizer.json files write each merge as one "left right" string.
    @Test func readsMergesWrittenAsStrings() throws {
        let data = try Data(contentsOf: Fixtures.clipFolder.appendingPathComponent("tokenizer.json"))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var model = try #require(json["model"] as? [String: Any])
        let pairs = try #require(model["merges"] as? [[String]])
        model["merges"] = pairs.map { $0.joined(separator: " ") }
        json["model"] = model
        let folder = try Fixtures.folder(copying: [], from: Fixtures.clipFolder)
        try JSONSerialization.data(withJSONObject: json).write(to: folder.appendingPathComponent("tokenizer.json"))
        try expectGoldens(try CLIPTokenizer(folder: folder), limit: 120)
    }

    @Test func specialTokensAndContext() throws {
        let tokenizer = try Self.tokenizer.get()
        #expect(tokenizer.bosTokenID == 49406)
        #expect(tokenizer.eosTokenID == 49407)
        #expect(tokenizer.contextLength == 77)
        #expect(tokenizer.encode("") == [49406, 49407])
        let long = tokenizer.encode(String(repeating: "a cat ", count: 200))
        #expect(long.count == 77)
        #expect(long.last == 49407)
    }

    @Test func missingFolderFiles() throws {
        let empty = try Fixtures.folder(copying: [], from: Fixtures.clipFolder)
        #expect(throws: TokenizerError.missingFiles(folder: empty.path,
                                                    expected: ["tokenizer.json", "vocab.json + merges.txt"])) {
            try CLIPTokenizer(folder: empty)
        }
        let noMerges = try Fixtures.folder(copying: ["vocab.json"], from: Fixtures.clipFolder)
        #expect {
            try CLIPTokenizer(folder: noMerges)
        } throws: {
            Fixtures.isError($0, { if case .unreadable = $0 { true } else { false } }, about: "merges.txt")
        }
    }

    @Test func malformedFiles() throws {
        let badVocab = try Fixtures.folder(with: ["vocab.json": "[1, 2", "merges.txt": "#version: 0.2\n"])
        #expect {
            try CLIPTokenizer(folder: badVocab)
        } throws: {
            Fixtures.isError($0, { if case .malformed = $0 { true } else { false } }, about: "vocab.json")
        }

        let vocab = try String(contentsOf: Fixtures.clipFolder.appendingPathComponent("vocab.json"), encoding: .utf8)
        let badMerges = try Fixtures.folder(with: ["vocab.json": vocab,
                                                   "merges.txt": "#version: 0.2\ni n\nthree parts here\n"])
        #expect(throws: TokenizerError.malformed(file: badMerges.appendingPathComponent("merges.txt").path,
                                                 reason: "line 3 is not two tokens separated by a space")) {
            try CLIPTokenizer(folder: badMerges)
        }
        let unknownMerge = try Fixtures.folder(with: ["vocab.json": vocab, "merges.txt": "#version: 0.2\nq☃ x\n"])
        #expect(throws: TokenizerError.malformed(file: unknownMerge.appendingPathComponent("merges.txt").path,
                                                 reason: "merge 1 \"q☃ x\" uses a token not in the vocabulary")) {
            try CLIPTokenizer(folder: unknownMerge)
        }

        let noSpecial = try Fixtures.folder(with: ["vocab.json": #"{"a": 0}"#, "merges.txt": ""])
        #expect(throws: TokenizerError.missingToken(file: noSpecial.appendingPathComponent("vocab.json").path,
                                                    token: "<|startoftext|>")) {
            try CLIPTokenizer(folder: noSpecial)
        }
        let wordPiece = try Fixtures.folder(copying: ["tokenizer.json"], from: Fixtures.miniLMFolder)
        #expect(throws: TokenizerError.unsupported(file: wordPiece.appendingPathComponent("tokenizer.json").path,
                                                   reason: "model type WordPiece, expected BPE")) {
            try CLIPTokenizer(folder: wordPiece)
        }
    }

    @Test func errorsNameTheirFile() {
        let error = TokenizerError.malformed(file: "/m/merges.txt", reason: "line 3 is not two tokens")
        #expect(error.description == "/m/merges.txt: malformed: line 3 is not two tokens")
    }
}
