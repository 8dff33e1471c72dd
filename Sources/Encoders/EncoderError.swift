import Workers

/// Problems loading or running an encoder, each naming the model folder, file or worker.
public enum EncoderError: Error, CustomStringConvertible {
    case modelNotInstalled(name: String, searched: [String])
    case unknownModel(path: String, reason: String)
    case unreadable(path: String, reason: String)
    case model(path: String, reason: String)
    /// Options for fitting the builtin tower that cannot work, or training data that does not fit them.
    case invalidConfig(String)
    /// An embed worker that could not start or introduce itself.
    case workerUnavailable(WorkerProcessError)
    /// An embed worker that started but loads another model, died, or answered nonsense.
    case worker(command: String, reason: String)

    public var description: String {
        switch self {
        case .modelNotInstalled(let name, let searched):
            "model \(name) is not installed (looked in \(searched.joined(separator: ", "))); run scripts/setup or set OODSYNTH_MODELS"
        case .unknownModel(let path, let reason): "\(path): not a model oodsynth can load: \(reason)"
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .model(let path, let reason): "\(path): \(reason)"
        case .invalidConfig(let reason): "builtin image tower: \(reason)"
        case .workerUnavailable(let error): error.description
        case .worker(let command, let reason): "worker \(command): \(reason)"
        }
    }
}
