import Foundation

/// Why a tokenizer folder could not be loaded; every case names the file it is about.
public enum TokenizerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// None of the files a tokenizer can be built from is in the folder.
    case missingFiles(folder: String, expected: [String])
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    /// A token the tokenizer cannot work without (a special token, a byte) is not in the vocabulary.
    case missingToken(file: String, token: String)
    /// The file describes a tokenizer of another kind or with options this implementation does not have.
    case unsupported(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingFiles(let folder, let expected):
            "\(folder): no tokenizer files (expected \(expected.joined(separator: " or ")))"
        case .unreadable(let file, let reason): "\(file): cannot be read: \(reason)"
        case .malformed(let file, let reason): "\(file): malformed: \(reason)"
        case .missingToken(let file, let token): "\(file): the vocabulary has no \"\(token)\" token"
        case .unsupported(let file, let reason): "\(file): unsupported tokenizer: \(reason)"
        }
    }

    public var errorDescription: String? { description }

    /// The file (or for `missingFiles`, the folder) the error is about.
    public var path: String {
        switch self {
        case .missingFiles(let folder, _): folder
        case .unreadable(let file, _), .malformed(let file, _), .missingToken(let file, _),
             .unsupported(let file, _): file
        }
    }
}
