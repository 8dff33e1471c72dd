import Foundation

/// One thing `decode` reads images from: a folder walked in sorted order, an archive libarchive can
/// read (tar, tar.gz, zip, WebDataset shards), or a tar on standard input.
public enum DecodeInput: Sendable, Equatable, CustomStringConvertible {
    case folder(String)
    case archive(String)
    case standardInput

    /// Resolves a command-line argument; `-` means standard input.
    public init(argument: String) throws(PipelineError) {
        if argument == "-" {
            self = .standardInput
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
            throw .inputNotFound(argument)
        }
        self = isDirectory.boolValue ? .folder(argument) : .archive(argument)
    }

    public var description: String {
        switch self {
        case .folder(let path), .archive(let path): path
        case .standardInput: "<stdin>"
        }
    }
}
