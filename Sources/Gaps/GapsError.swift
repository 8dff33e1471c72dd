/// Problems with the inputs or options of the gap search, each in one line.
public enum GapsError: Error, Equatable, Sendable, CustomStringConvertible {
    case dimensionMismatch(String)
    case invalidParameter(String)
    case notEnoughData(String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let detail): "dimension mismatch: \(detail)"
        case .invalidParameter(let detail): "invalid parameter: \(detail)"
        case .notEnoughData(let detail): "not enough data: \(detail)"
        }
    }
}
