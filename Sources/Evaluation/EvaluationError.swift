/// Why an evaluation cannot be computed.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    case notEnoughData(String)
    case notFinite(String)

    public var description: String {
        switch self {
        case .notEnoughData(let detail): return "not enough data: \(detail)"
        case .notFinite(let detail): return detail
        }
    }
}
