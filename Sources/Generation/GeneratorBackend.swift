/// A `--backend` value: `builtin`, `worker:CMD` or `a1111:URL`.
public enum GeneratorBackend: Sendable, Equatable, CustomStringConvertible {
    case builtin
    /// A shell command line (run by /bin/sh -c).
    case worker(command: String)
    case a1111(url: String)

    public init?(_ text: String) {
        if text == "builtin" {
            self = .builtin
        } else if text.hasPrefix("worker:"), text.count > 7 {
            self = .worker(command: String(text.dropFirst(7)))
        } else if text.hasPrefix("a1111:"), text.count > 6 {
            self = .a1111(url: String(text.dropFirst(6)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .builtin: "builtin"
        case .worker(let command): "worker:" + command
        case .a1111(let url): "a1111:" + url
        }
    }

    /// The default image side: the builtin sampler's, else Stable Diffusion's native size.
    public var defaultSize: Int {
        if case .builtin = self { return 96 }
        return 512
    }
}
