import OODCore

/// Problems with a sample stream as a whole: the tar below it, or its `__stream__` header.
public enum SampleStreamError: Error, Equatable, CustomStringConvertible {
    case archive(ArchiveError)
    case header(source: String, StreamError)
    /// A sample carries the same extension twice (webdataset refuses these too).
    case duplicateField(source: String, key: String, ext: String)

    public var description: String {
        switch self {
        case .archive(let error): error.description
        case .header(let source, let error): "\(source): \(error.description)"
        case .duplicateField(let source, let key, let ext):
            "\(source): sample \"\(key)\" has the field \"\(ext)\" twice"
        }
    }
}
