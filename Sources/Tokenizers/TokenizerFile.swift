import Foundation

/// Reads the files of a tokenizer folder, turning every failure into a `TokenizerError` naming the file.
enum TokenizerFile {
    static func exists(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.path)
    }

    static func read(_ url: URL) throws(TokenizerError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
    }

    static func readText(_ url: URL) throws(TokenizerError) -> String {
        let data = try read(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformed(file: url.path, reason: "not UTF-8 text")
        }
        return text
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, from url: URL) throws(TokenizerError) -> T {
        let data = try read(url)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw .malformed(file: url.path, reason: describe(error))
        } catch {
            throw .malformed(file: url.path, reason: error.localizedDescription)
        }
    }

    /// Splits on a byte, not a `Character`: with `Character`s, `\r\n` is one separator-less character and
    /// a combining mark after a space or newline would merge with it.
    static func split(_ text: some StringProtocol, on separator: UInt8) -> [String] {
        text.utf8.split(separator: separator, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// DecodingError's own description is a multi-line dump; this keeps the path and the problem.
    private static func describe(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : "at " + keys.joined(separator: ".") + ": "
        }
        switch error {
        case .keyNotFound(let key, let context): return at(context) + "missing key \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return at(context) + context.debugDescription
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.localizedDescription
            return at(context) + (underlying ?? context.debugDescription)
        @unknown default: return "\(error)"
        }
    }
}
