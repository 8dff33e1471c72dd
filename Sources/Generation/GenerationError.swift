/// Why one request, or a whole backend, failed. `reason` is the short code a stage counts skips by.
public enum GenerationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The backend could not start (worker handshake, HTTP health check, no references).
    case unavailable(String)
    /// The request cannot be made as asked (bad size, no embedding to steer by).
    case invalidRequest(String)
    /// The backend answered this request with an error.
    case backend(String)
    case timedOut(seconds: Double)
    /// The worker process died; `detail` says how and whether it was restarted.
    case workerExited(String)
    /// The backend's answer is not a usable image.
    case badImage(String)
    /// Every attempt came out too close to a reference image (pixel RMSE below the threshold).
    case copiesReference(key: String, distance: Double)
    case cancelled

    public var reason: String {
        switch self {
        case .unavailable: "backend-unavailable"
        case .invalidRequest: "invalid-request"
        case .backend: "backend-error"
        case .timedOut: "timeout"
        case .workerExited: "worker-exited"
        case .badImage: "bad-image"
        case .copiesReference: "copies-reference"
        case .cancelled: "cancelled"
        }
    }

    public var description: String {
        switch self {
        case .unavailable(let detail): detail
        case .invalidRequest(let detail): detail
        case .backend(let detail): "the backend failed: \(detail)"
        case .timedOut(let seconds): "no answer within \(Int(seconds)) s"
        case .workerExited(let detail): detail
        case .badImage(let detail): "the backend's image is unusable: \(detail)"
        case .copiesReference(let key, let distance):
            "every attempt stayed too close to reference \(key) (pixel RMSE \(String(format: "%.3f", distance)))"
        case .cancelled: "cancelled"
        }
    }
}
