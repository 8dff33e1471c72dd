import Foundation
import Imaging
import Workers

/// `--backend worker:CMD`: a child process (`/bin/sh -c CMD`) that makes images, spoken to in JSON
/// Lines (see scripts/diffusion-worker.py for the protocol).
///
/// A batch is written at once and the answers are matched by id, so a worker may batch internally.
/// If the worker dies or stops answering (`timeout` seconds without a line), it is restarted once and
/// the unanswered requests are sent again; a request it was stuck on fails with `.timedOut`. After a
/// second death every remaining request fails with the reason, and so does every later batch.
public final class WorkerGenerator: ImageGenerator, @unchecked Sendable {
    public let command: String
    public let timeout: Double
    public let startupTimeout: Double
    public let identity: GeneratorIdentity
    let handshake: WorkerHandshake
    /// One batch at a time talks to the worker.
    private let serial = NSLock()
    /// Guards `process` and `failure`, which cancellation touches while a batch runs.
    private let state = NSLock()
    private var process: WorkerProcess?
    private var restarted = false
    private var failure: String?

    /// Starts the worker and waits for its handshake.
    public init(command: String, timeout: Double = 600, startupTimeout: Double = 600) async throws(GenerationError) {
        self.command = command
        self.timeout = timeout
        self.startupTimeout = startupTimeout
        let started = await Blocking.run { Result { () throws(GenerationError) in try Self.launch(command, startupTimeout: startupTimeout) } }
        let (process, handshake) = try started.get()
        self.process = process
        self.handshake = handshake
        self.identity = handshake.identity
    }

    public var preferredBatchSize: Int { max(2, handshake.capabilities?.maxBatch ?? 1) * 2 }

    public func acceptsImageEmbedding(dimension: Int) -> Bool {
        handshake.capabilities?.imageEmbeds == true && handshake.capabilities?.imageEmbedsDim.map { $0 == dimension } ?? true
    }

    public func generate(_ batch: [GenerationRequest]) async -> [Result<GeneratedImage, GenerationError>] {
        await withTaskCancellationHandler {
            await Blocking.run { self.run(batch) }
        } onCancel: {
            let process = self.state.withLock {
                self.failure = GenerationError.cancelled.description
                return self.process
            }
            process?.kill()
        }
    }

    public func close() async {
        let process = state.withLock {
            let process = self.process
            self.process = nil
            failure = failure ?? "the worker was closed"
            return process
        }
        if let process { await Blocking.run { process.stop() } }
    }

    /// Starts `command` and reads its handshake line.
    static func launch(_ command: String, startupTimeout: Double) throws(GenerationError) -> (WorkerProcess, WorkerHandshake) {
        do {
            return try WorkerProcess.launch(command, startupTimeout: startupTimeout, handshake: WorkerHandshake.self)
        } catch {
            throw .unavailable(error.description)
        }
    }

    private func run(_ batch: [GenerationRequest]) -> [Result<GeneratedImage, GenerationError>] {
        serial.lock()
        defer { serial.unlock() }
        var results = [Result<GeneratedImage, GenerationError>?](repeating: nil, count: batch.count)
        var lines: [Int: String] = [:]
        var pending: [Int] = []
        let encoder = JSONEncoder()
        for (index, request) in batch.enumerated() {
            let embeds = request.imageEmbedding.flatMap { acceptsImageEmbedding(dimension: $0.count) ? $0 : nil }
            let message = WorkerRequest(id: request.id, prompt: request.prompt, negativePrompt: request.negativePrompt, seed: request.seed,
                                        steps: request.steps, guidance: request.guidance, width: request.width, height: request.height,
                                        imageEmbeds: embeds)
            guard let data = try? encoder.encode(message) else {
                results[index] = .failure(.invalidRequest("cannot encode the request as JSON"))
                continue
            }
            lines[index] = String(decoding: data, as: UTF8.self)
            pending.append(index)
        }
        while !pending.isEmpty {
            let (current, failed) = currentProcess()
            guard failed == nil, let process = current else {
                for index in pending { results[index] = .failure(.workerExited(failed ?? "the worker is not running")) }
                break
            }
            for index in pending where !process.send(lines[index] ?? "") { break }
            answering: while !pending.isEmpty {
                switch process.readLine(timeout: timeout) {
                case .line(let text):
                    guard let response = try? JSONDecoder().decode(WorkerResponse.self, from: Data(text.utf8)) else {
                        FileHandle.standardError.write(Data("oodsynth: worker: ignored a line that is not a JSON answer: \(text.prefix(120))\n".utf8))
                        continue
                    }
                    guard let id = response.id, let position = pending.firstIndex(where: { batch[$0].id == id }) else {
                        if let error = response.error {
                            FileHandle.standardError.write(Data("oodsynth: worker: \(error)\n".utf8))
                        }
                        continue
                    }
                    let index = pending.remove(at: position)
                    results[index] = Self.result(of: response, embedsSent: batch[index].imageEmbedding.map { acceptsImageEmbedding(dimension: $0.count) } ?? false)
                case .ended:
                    replace(process, because: "the worker \(process.exitDescription)")
                    break answering
                case .timedOut:
                    process.kill()
                    let stuck = pending.removeFirst()
                    results[stuck] = .failure(.timedOut(seconds: timeout))
                    replace(process, because: "the worker gave no answer within \(Int(timeout)) s")
                    break answering
                }
            }
        }
        return results.map { $0 ?? .failure(.cancelled) }
    }

    private func currentProcess() -> (WorkerProcess?, String?) {
        state.lock()
        defer { state.unlock() }
        return (process, failure)
    }

    /// After the worker died: start it again the first time, else remember why every later request fails.
    private func replace(_ dead: WorkerProcess, because reason: String) {
        dead.stop(grace: 0.5)
        state.lock()
        process = nil
        let failed = failure != nil
        let again = restarted
        if !failed && again { failure = "\(reason) again after one restart; giving up on the remaining samples" }
        restarted = true
        state.unlock()
        guard !failed && !again else { return }
        FileHandle.standardError.write(Data("oodsynth: \(reason); restarting it once\n".utf8))
        let next: Result<WorkerProcess, GenerationError> = Result { () throws(GenerationError) in
            try Self.launch(command, startupTimeout: startupTimeout).0
        }
        state.lock()
        switch next {
        case .success(let started):
            if failure == nil { process = started } else { started.kill() }
        case .failure(let error):
            failure = "\(reason), and the restart failed: \(error)"
        }
        state.unlock()
    }

    static func result(of response: WorkerResponse, embedsSent: Bool) -> Result<GeneratedImage, GenerationError> {
        if let error = response.error { return .failure(.backend(error)) }
        guard let base64 = response.png, let data = Data(base64Encoded: base64) else {
            return .failure(.badImage("the answer has neither png (base64) nor error"))
        }
        let png = [UInt8](data)
        do {
            let decoded = try ImageDecoder.decode(png)
            return .success(GeneratedImage(png: png, width: decoded.width, height: decoded.height,
                                           details: ["image_embeds": embedsSent ? "sent" : "not sent"]))
        } catch {
            return .failure(.badImage("\(error)"))
        }
    }
}
