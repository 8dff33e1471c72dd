/// Why an image could not be decoded or encoded. Descriptions are one line and never name
/// the input: callers prefix the file or sample name.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are neither PNG nor JPEG.
    case notAnImage
    /// The data is damaged or truncated; the reason comes from the codec.
    case corrupt(String)
    /// The header declares more pixels than the caller allows.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// A valid file using a feature this module does not handle.
    case unsupported(String)
    /// A buffer for the codec could not be allocated.
    case outOfMemory

    public var description: String {
        switch self {
        case .notAnImage: "not a PNG or JPEG image"
        case .corrupt(let reason): "corrupt image: \(Self.oneLine(reason))"
        case .tooManyPixels(let width, let height, let limit):
            "image is \(width)x\(height), more than the limit of \(limit) pixels"
        case .unsupported(let reason): "unsupported image: \(Self.oneLine(reason))"
        case .outOfMemory: "out of memory while processing the image"
        }
    }

    /// Codec messages are short, but a log line must never be split.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
