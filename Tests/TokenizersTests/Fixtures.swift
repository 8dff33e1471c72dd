import Foundation
import Tokenizers

/// Test files made by scripts/make-tokenizer-goldens.py (tokenizer folders and the Hugging Face ids).
enum Fixtures {
    struct Golden: Decodable {
        let text: String
        let ids: [Int]
    }

    static let resources: URL = Bundle.module.url(forResource: "Resources", withExtension: nil)
        ?? Bundle.module.bundleURL.appendingPathComponent("Resources")

    static var clipFolder: URL { resources.appendingPathComponent("clip-tokenizer") }
    static var miniLMFolder: URL { resources.appendingPathComponent("minilm-tokenizer") }

    static func goldens(_ name: String) throws -> [Golden] {
        let data = try Data(contentsOf: resources.appendingPathComponent(name))
        return try JSONDecoder().decode([Golden].self, from: data)
    }

    /// A fresh temporary folder holding copies of `files` from `source` (and nothing else).
    static func folder(copying files: [String], from source: URL) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("tokenizers-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file),
                                             to: folder.appendingPathComponent(file))
        }
        return folder
    }

    /// For `#expect(throws:)` where the reason text comes from Foundation: the case and the file.
    static func isError(_ error: any Error, _ kind: (TokenizerError) -> Bool, about file: String) -> Bool {
        guard let error = error as? TokenizerError else { return false }
        return kind(error) && error.path.hasSuffix(file)
    }

    static func folder(with files: [String: String]) throws -> URL {
        let folder = try folder(copying: [], from: resources)
        for (name, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        return folder
    }
}
