import Workers

/// The first line an embed worker writes: the model it loaded and how it runs it
/// (scripts/embed-worker.py documents the protocol).
struct EmbedWorkerHandshake: WorkerHandshaking, Decodable, Sendable, Equatable {
    static let protocolName = "oodsynth-embed-worker"
    static let protocolVersion = 1

    var `protocol`: String
    var version: Int
    var model: String?
    /// SHA-256 of the worker's `model.safetensors`, when it loaded one: checked against `--model`'s.
    var weightsSHA256: String?
    var dimension: Int
    var imageSize: Int
    var device: String?
    var dtype: String?
    var torchVersion: String?
    var transformersVersion: String?

    enum CodingKeys: String, CodingKey {
        case `protocol`, version, model, dimension, device, dtype
        case weightsSHA256 = "weights_sha256", imageSize = "image_size"
        case torchVersion = "torch_version", transformersVersion = "transformers_version"
    }

    /// What runs the numbers, for the stage record's `kernel`: `torch 2.5.1 on cuda/float16`.
    var kernel: String {
        let libraries = [torchVersion.map { "torch \($0)" }, transformersVersion.map { "transformers \($0)" }].compactMap { $0 }
        let runtime = "on \(device ?? "unknown")/\(dtype ?? "unknown")"
        return (libraries + [runtime]).joined(separator: " ")
    }
}
