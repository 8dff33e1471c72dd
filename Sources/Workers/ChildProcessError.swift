/// Why a child process could not be started; names the executable.
public enum ChildProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotStart(executable: String, reason: String)

    public var description: String {
        switch self {
        case .cannotStart(let executable, let reason): "cannot start \(executable): \(reason)"
        }
    }
}
