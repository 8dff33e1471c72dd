import WebAPI

/// Why a language-model request gave no answer: one line naming the server or file.
public enum LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP exchange failed (unreachable, timed out, an error status after the retries).
    case server(APIError)
    /// A 2xx answer that is not a chat completion.
    case malformed(String)
    case invalidRequest(String)
    case cache(String)

    public var description: String {
        switch self {
        case .server(let error): error.description
        case .malformed(let reason), .invalidRequest(let reason), .cache(let reason): reason
        }
    }
}
