/// Why a worker could not be started or did not introduce itself; each names the worker's command.
public enum WorkerProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotStart(command: String, reason: String)
    /// Its first line is not the handshake of `expected`.
    case notAHandshake(command: String, expected: String, line: String)
    case wrongVersion(command: String, version: Int, expected: Int)
    /// It ended before its handshake; `exit` says how ("exited with status 4").
    case endedBeforeHandshake(command: String, exit: String)
    case noHandshake(command: String, seconds: Double)

    public var description: String {
        switch self {
        case .cannotStart(let command, let reason): "cannot start worker \(command): \(reason)"
        case .notAHandshake(let command, let expected, let line):
            "worker \(command): its first line is not an \(expected) handshake: \(line.prefix(120))"
        case .wrongVersion(let command, let version, let expected):
            "worker \(command) speaks protocol version \(version); oodsynth speaks \(expected)"
        case .endedBeforeHandshake(let command, let exit):
            "worker \(command) \(exit) before its handshake (its stderr above says why)"
        case .noHandshake(let command, let seconds): "worker \(command) sent no handshake within \(Int(seconds)) s"
        }
    }
}
