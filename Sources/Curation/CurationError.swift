/// Why a filter could not be set up or run (not why a sample was rejected: that is a `Rejection`).
public enum CurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case dimensionMismatch(String)
    case noIDScale(Threshold)
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let detail): return "embedding sizes differ: \(detail)"
        case .noIDScale(let threshold): return "threshold \(threshold) is an ID percentile, but the ID set gives no such scale"
        case .invalidParameter(let detail): return detail
        }
    }
}
