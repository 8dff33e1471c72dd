import Foundation
import Testing
@testable import Tokenizers

/// Ids from transformers' AutoTokenizer of all-MiniLM-L6-v2 (`tok(text, truncation=True,
/// max_length=256)`), made by scripts/make-tokenizer-goldens.py into Resources/wordpiece-golden.json.
@Suite struct WordPieceTokenizerTests {
    private func expectGoldens(_ tokenizer: WordPieceTokenizer) throws {
        let goldens = try Fixtures.goldens("wordpiece-golden.json")
        #expect(goldens.count > 300)
        for golden in goldens {
            let ids = tokenizer.encode(golden.text)
            #expect(ids == golden.ids, "text \(golden.text.debugDescription)")
        }
    }

    @Test func matchesReferenceFromTokenizerJSON() throws {
        try expectGoldens(try WordPieceTokenizer(folder: Fixtures.miniLMFolder))
    }

    @Test func matchesReferenceFromVocabText() throws {
        let folder = try Fixtures.folder(copying: ["vocab.txt", "tokenizer_config.json"], from: Fixtures.miniLMFolder)
        try expectGoldens(try WordPieceTokenizer(folder: folder))
    }

    @Test func specialTokensAndTruncation() throws {
        let tokenizer = try WordPieceTokenizer(folder: Fixtures.miniLMFolder)
        #expect((tokenizer.clsTokenID, tokenizer.sepTokenID, tokenizer.padTokenID) == (101, 102, 0))
        #expect(tokenizer.encode("") == [101, 102])
        let words = String(repeating: "the cat ", count: 20)
        let short = tokenizer.encode(words, maxLength: 8)
        #expect(short == [101, 1996, 4937, 1996, 4937, 1996, 4937, 102])
        #expect(tokenizer.encode(words + words + words + words).count == 162)
    }

    @Test func missingFiles() throws {
        let empty = try Fixtures.folder(copying: [], from: Fixtures.miniLMFolder)
        #expect(throws: TokenizerError.missingFiles(folder: empty.path,
                                                    expected: ["tokenizer.json", "vocab.txt"])) {
            try WordPieceTokenizer(folder: empty)
        }
    }

    @Test func malformedOrUnsupportedFiles() throws {
        let noCLS = try Fixtures.folder(with: ["vocab.txt": "[PAD]\n[UNK]\n[SEP]\nthe\n"])
        #expect(throws: TokenizerError.missingToken(file: noCLS.appendingPathComponent("vocab.txt").path,
                                                    token: "[CLS]")) {
            try WordPieceTokenizer(folder: noCLS)
        }
        let emptyVocab = try Fixtures.folder(with: ["vocab.txt": ""])
        #expect(throws: TokenizerError.malformed(file: emptyVocab.appendingPathComponent("vocab.txt").path,
                                                 reason: "no tokens")) {
            try WordPieceTokenizer(folder: emptyVocab)
        }
        let cased = try Fixtures.folder(with: ["vocab.txt": "[PAD]\n[UNK]\n[CLS]\n[SEP]\n",
                                               "tokenizer_config.json": #"{"do_lower_case": false}"#])
        #expect(throws: TokenizerError.unsupported(
            file: cased.appendingPathComponent("tokenizer_config.json").path,
            reason: "only uncased BERT (lower case, accents stripped, CJK split) is implemented")) {
            try WordPieceTokenizer(folder: cased)
        }
        let cut = #"{"model": {"type": "WordPiece", "vocab": {"a": "#
        let truncated = try Fixtures.folder(with: ["tokenizer.json": cut])
        #expect {
            try WordPieceTokenizer(folder: truncated)
        } throws: {
            Fixtures.isError($0, { if case .malformed = $0 { true } else { false } }, about: "tokenizer.json")
        }
        let unigramJSON = #"{"model": {"type": "Unigram", "vocab": [["a", -1]]}}"#
        let unigram = try Fixtures.folder(with: ["tokenizer.json": unigramJSON])
        #expect(throws: TokenizerError.unsupported(file: unigram.appendingPathComponent("tokenizer.json").path,
                                                   reason: "model type Unigram, expected WordPiece")) {
            try WordPieceTokenizer(folder: unigram)
        }
    }
}
