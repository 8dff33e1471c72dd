import Foundation
import Imaging
import OODCore
import Workers

/// `embed --backend worker:CMD`: both towers of a Hugging Face CLIP folder, run by a child process
/// (scripts/embed-worker.py, on a GPU) spoken to in JSON Lines.
///
/// The identity is the folder's, made as `CLIPEncoder` makes it (folder name, weights sha256,
/// projection dimension), so the stages after embed, which load the folder natively, accept the
/// stream; the worker's handshake must agree on the dimension, image size and weights.
///
/// Images are decoded, resized and center-cropped here and sent as RGB bytes: the resize is where
/// PIL and our resampler could differ, so the worker sees exactly the pixels the native towers see
/// and only applies the per-channel mean and std (an affine map, the same float32 operations);
/// bytes are a quarter of the float tensor to encode and send, and the GPU worker does no CPU-bound
/// image work. The answers are checked (shape, finite, unit length) before they reach the stream.
public final class WorkerEncoder: TextEncoder, ImageEncoder, @unchecked Sendable {
    public let identity: ModelIdentity
    public let command: String
    /// Torch, transformers, device and dtype, as the worker reported them.
    public let kernel: String
    let preprocessor: CLIPImagePreprocessor
    private let timeout: Double
    private let process: WorkerProcess
    /// One request in flight at a time; the counter names the requests.
    private let lock = NSLock()
    private var requests = 0

    /// Starts the worker, reads the folder's identity while it loads, and checks its handshake.
    public init(folder: URL, command: String, timeout: Double = 600, startupTimeout: Double = 600) throws(EncoderError) {
        let path = folder.path
        let type = try ModelLoader.modelType(of: path)
        guard type == "clip" else {
            throw .unknownModel(path: path, reason: "the worker backend embeds Hugging Face CLIP folders, and model_type is \(type.map { "\"\($0)\"" } ?? "missing")")
        }
        let config: CLIPConfig
        do { config = try CLIPConfig(folder: folder) } catch { throw .model(path: path, reason: error.description) }
        preprocessor = try CLIPImagePreprocessor(folder: folder, imageSize: config.visionConfig.imageSize)
        self.command = command
        self.timeout = timeout
        do { process = try WorkerProcess(command: command) } catch { throw .workerUnavailable(error) }
        let handshake: EmbedWorkerHandshake
        do {
            // Hashed while the worker loads its model: for ViT-L/14 both take seconds.
            identity = ModelIdentity(name: folder.lastPathComponent,
                                     weightsSHA256: try WeightsDigest.sha256(of: folder.appendingPathComponent("model.safetensors").path),
                                     dimension: config.projectionDim)
            handshake = try Self.handshake(of: process, timeout: startupTimeout)
        } catch {
            process.stop()
            throw error
        }
        kernel = handshake.kernel
        let mismatch: String? =
            if handshake.dimension != identity.dimension {
                "it embeds in \(handshake.dimension) dimensions, but \(path) in \(identity.dimension)"
            } else if handshake.imageSize != preprocessor.crop {
                "it takes \(handshake.imageSize) px images, but \(path) is preprocessed to \(preprocessor.crop) px"
            } else if let weights = handshake.weightsSHA256, weights != identity.weightsSHA256 {
                "it loaded \(handshake.model ?? "a model") with weights \(weights.prefix(12)), not \(path) (weights \(identity.weightsSHA256.prefix(12)))"
            } else {
                nil
            }
        if let mismatch {
            process.stop()
            throw .worker(command: command, reason: mismatch)
        }
    }

    deinit {
        process.stop()
    }

    public func embed(texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        return try ask { EmbedWorkerRequest(id: $0, texts: texts) }
    }

    public func embed(images: [RGBImage]) throws -> [[Float]] {
        guard !images.isEmpty else { return [] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(images.count * 3 * preprocessor.crop * preprocessor.crop)
        for image in images { preprocessor.appendCrop(image, to: &bytes) }
        let pixels = Data(bytes).base64EncodedString()
        return try ask {
            EmbedWorkerRequest(id: $0, pixels: pixels, shape: [images.count, preprocessor.crop, preprocessor.crop, 3],
                               mean: preprocessor.mean, std: preprocessor.std)
        }
    }

    private static func handshake(of process: WorkerProcess, timeout: Double) throws(EncoderError) -> EmbedWorkerHandshake {
        do { return try process.readHandshake(EmbedWorkerHandshake.self, timeout: timeout) } catch { throw .workerUnavailable(error) }
    }

    /// Sends one request and waits for its answer: `count` unit vectors.
    private func ask(_ request: (String) -> EmbedWorkerRequest) throws(EncoderError) -> [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        requests += 1
        let message = request(String(format: "%09d", requests))
        let count = message.texts?.count ?? message.shape?.first ?? 0
        guard let data = try? JSONEncoder().encode(message) else {
            throw .worker(command: command, reason: "cannot encode request \(message.id) as JSON")
        }
        guard process.send(String(decoding: data, as: UTF8.self)) else {
            throw .worker(command: command, reason: "\(process.exitDescription) (its stderr above says why)")
        }
        while true {
            switch process.readLine(timeout: timeout) {
            case .line(let text):
                guard let response = try? JSONDecoder().decode(EmbedWorkerResponse.self, from: Data(text.utf8)) else {
                    throw .worker(command: command, reason: "answered with a line that is not a JSON answer: \(text.prefix(120))")
                }
                guard response.id == message.id else {
                    // An answer to a line it could not read (id null): it says why; ours is still coming.
                    if response.id == nil, let error = response.error {
                        FileHandle.standardError.write(Data("oodsynth: worker: \(error)\n".utf8))
                        continue
                    }
                    throw .worker(command: command, reason: "answered \(response.id ?? "null") to request \(message.id)")
                }
                if let error = response.error { throw .worker(command: command, reason: error) }
                return try vectors(in: response, count: count)
            case .ended:
                throw .worker(command: command, reason: "\(process.exitDescription) (its stderr above says why)")
            case .timedOut:
                process.kill()
                throw .worker(command: command, reason: "gave no answer within \(Int(timeout)) s")
            }
        }
    }

    /// The answer's `count` x `dimension` little-endian float32 rows, each checked to be a unit vector.
    private func vectors(in response: EmbedWorkerResponse, count: Int) throws(EncoderError) -> [[Float]] {
        let dimension = identity.dimension
        guard let base64 = response.embeddings, let data = Data(base64Encoded: base64) else {
            throw .worker(command: command, reason: "the answer has neither embeddings (base64) nor error")
        }
        guard response.shape == [count, dimension], data.count == count * dimension * 4 else {
            throw .worker(command: command, reason: "the answer has shape \(response.shape ?? []) and \(data.count) bytes; expected [\(count), \(dimension)] float32")
        }
        let values = data.withUnsafeBytes { raw in
            (0..<(count * dimension)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        var rows: [[Float]] = []
        rows.reserveCapacity(count)
        for start in stride(from: 0, to: values.count, by: dimension) {
            let row = Array(values[start..<(start + dimension)])
            let norm = row.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            // Unit length to float32 rounding; NaN fails the test too.
            guard abs(norm - 1) < 1e-3 else {
                throw .worker(command: command, reason: "embedding \(rows.count) of request \(response.id ?? "") has length \(norm), not 1")
            }
            rows.append(row)
        }
        return rows
    }
}
