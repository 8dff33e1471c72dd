/// Why an exchange with an HTTP API failed: one line that names the URL and the problem.
public enum APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not an absolute http(s) URL.
    case invalidURL(String)
    /// The request could not be made as asked (a body that does not encode, say).
    case invalidRequest(url: String, reason: String)
    /// The server answered with a status outside 2xx; `detail` is its own words for it.
    case status(Int, url: String, detail: String)
    /// No answer at all: connection refused, unknown host, connection lost.
    case unreachable(url: String, reason: String)
    /// No complete answer within the deadline.
    case timedOut(url: String, seconds: Double)
    case cancelled

    /// Whether a later attempt may pass: the server was not there yet, is busy (429) or failed (5xx).
    public var isRetryable: Bool {
        switch self {
        case .unreachable: true
        case .status(let code, _, _): code == 429 || (500..<600).contains(code)
        default: false
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let url): "\(url) is not an http(s) URL"
        case .invalidRequest(let url, let reason): "cannot send to \(url): \(reason)"
        case .status(let code, let url, let detail): "HTTP \(code) from \(url): \(detail)"
        case .unreachable(let url, let reason): "\(url): \(reason)"
        case .timedOut(let url, let seconds): "no answer from \(url) within \(Self.seconds(seconds))"
        case .cancelled: "cancelled"
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
