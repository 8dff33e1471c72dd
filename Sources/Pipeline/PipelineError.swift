import OODCore
import WebDataset

/// Errors that stop a stage. Each names the input or output it is about, in one line.
public enum PipelineError: Error, CustomStringConvertible {
    case inputNotFound(String)
    case unreadableInput(String, reason: String)
    case inputFailed(String, reason: String)
    case outputFailed(String, reason: String)
    case stream(String, StreamError)
    case invalidOption(String)
    case archive(ArchiveError)
    case shards(ShardError)
    case sampleStream(SampleStreamError)
    /// An image-generation backend that cannot start or go on.
    case generator(String)

    public var description: String {
        switch self {
        case .inputNotFound(let path): "\(path): no such file or folder"
        case .unreadableInput(let path, let reason): "\(path): cannot read: \(reason)"
        case .inputFailed(let path, let reason): "\(path): \(reason)"
        case .outputFailed(let path, let reason): "\(path): \(reason)"
        case .stream(let path, let error): "\(path): \(error)"
        case .invalidOption(let message): message
        case .archive(let error): error.description
        case .shards(let error): error.description
        case .sampleStream(let error): error.description
        case .generator(let message): message
        }
    }
}
