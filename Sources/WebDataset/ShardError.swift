/// Problems writing a shard directory; each names the directory or file involved.
public enum ShardError: Error, Equatable, CustomStringConvertible {
    case archive(ArchiveError)
    case directoryNotEmpty(path: String, example: String)
    case io(path: String, reason: String)
    case badOption(String)
    case badHeader(path: String, reason: String)
    case finished(directory: String)

    public var description: String {
        switch self {
        case .archive(let error): error.description
        case .directoryNotEmpty(let path, let example):
            "\(path): output directory is not empty (contains \"\(example)\"); pass overwrite to replace earlier shards"
        case .io(let path, let reason): "\(path): \(reason)"
        case .badOption(let reason): "shard writer: \(reason)"
        case .badHeader(let path, let reason): "\(path): stream header: \(reason)"
        case .finished(let directory): "\(directory): the shard writer is already finished"
        }
    }
}
