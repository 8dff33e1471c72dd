/// A manifest that cannot be run, with the file and the key at fault.
public enum RunManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot read the manifest"
        case .invalid(let path, let problem): return "\(path): \(problem)"
        }
    }
}
