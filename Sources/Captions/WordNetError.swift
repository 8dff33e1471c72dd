/// Problems reading the WordNet database, each naming the file (and line) at fault.
public enum WordNetError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingFile(String)
    case malformed(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            "\(path): WordNet file not found (install Debian's wordnet-base, or pass --wordnet DIR / set WNHOME)"
        case .malformed(let file, let line, let reason): "\(file):\(line): malformed WordNet line: \(reason)"
        }
    }
}
