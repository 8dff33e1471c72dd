/// Problems with a stream as a whole (as opposed to one bad sample, which is skipped and counted).
public enum StreamError: Error, Equatable, CustomStringConvertible {
    case missingHeader(found: String)
    case badHeader(reason: String)
    case unsupportedVersion(Int)

    public var description: String {
        switch self {
        case .missingHeader(let found):
            "the stream does not start with a \(StreamHeader.key) header (first key is \"\(found)\"); was it made by oodsynth decode?"
        case .badHeader(let reason): "the \(StreamHeader.key) header is malformed: \(reason)"
        case .unsupportedVersion(let version):
            "the stream has format version \(version); this oodsynth reads up to \(StreamHeader.currentVersion)"
        }
    }
}
