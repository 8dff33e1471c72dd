import Foundation
import Imaging
import OODCore
import WebAPI

/// `--backend a1111:URL`: the AUTOMATIC1111 / Forge web API (`POST /sdapi/v1/txt2img`), one HTTP
/// request per image so that every image keeps its own seed, at most `concurrency` in flight.
///
/// Connection failures and 5xx / 429 answers are retried with exponential backoff (0.5 s, 1 s, 2 s,
/// ...); other 4xx answers fail the request with the server's detail; a request that takes longer
/// than `timeout` fails as timed out. The HTTP is WebAPI's `APIClient` (Foundation's URLSession).
public struct A1111Generator: ImageGenerator {
    public let baseURL: String
    public let identity: GeneratorIdentity
    public let concurrency: Int
    public let timeout: Double
    public let retries: Int
    public let backoff: Double

    /// Checks the server with `GET /sdapi/v1/options` (retried like a request) and reads its model.
    public init(url: String, concurrency: Int = 2, timeout: Double = 600, retries: Int = 3, backoff: Double = 0.5) async throws(GenerationError) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        guard let parsed = URL(string: base), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
            throw .unavailable("a1111:\(url) is not an http(s) URL (example: a1111:http://127.0.0.1:7860)")
        }
        self.baseURL = base
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        let options: [String: JSONValue]
        do {
            let check = APIClient(timeout: min(timeout, 30), retries: self.retries, backoff: backoff)
            let body = try await check.get(base + "/sdapi/v1/options")
            options = (try? JSONDecoder().decode([String: JSONValue].self, from: body)) ?? [:]
        } catch {
            throw .unavailable("cannot reach the A1111 API at \(base): \(error)")
        }
        let model = options["sd_model_checkpoint"]?.stringValue ?? "unknown"
        self.identity = GeneratorIdentity(backend: "a1111", model: model, details: ["url": base])
    }

    public var preferredBatchSize: Int { concurrency }

    /// The txt2img API takes no image embeddings.
    public func acceptsImageEmbedding(dimension: Int) -> Bool { false }

    public func generate(_ batch: [GenerationRequest]) async -> [Result<GeneratedImage, GenerationError>] {
        await withTaskGroup(of: (Int, Result<GeneratedImage, GenerationError>).self) { group in
            var results = [Result<GeneratedImage, GenerationError>?](repeating: nil, count: batch.count)
            var next = 0
            while next < min(concurrency, batch.count) {
                let index = next
                group.addTask { (index, await self.generateOne(batch[index])) }
                next += 1
            }
            for await (index, result) in group {
                results[index] = result
                if next < batch.count {
                    let index = next
                    group.addTask { (index, await self.generateOne(batch[index])) }
                    next += 1
                }
            }
            return results.map { $0 ?? .failure(.cancelled) }
        }
    }

    public func close() async {}

    struct Txt2Img: Encodable {
        var prompt: String
        var negativePrompt: String
        var seed: UInt32
        var steps: Int
        var cfgScale: Double
        var width: Int
        var height: Int
        var batchSize = 1
        var nIter = 1
        var sendImages = true
        var saveImages = false

        enum CodingKeys: String, CodingKey {
            case prompt, seed, steps, width, height
            case negativePrompt = "negative_prompt", cfgScale = "cfg_scale", batchSize = "batch_size", nIter = "n_iter"
            case sendImages = "send_images", saveImages = "save_images"
        }
    }

    struct Txt2ImgResponse: Decodable {
        var images: [String]
    }

    func generateOne(_ request: GenerationRequest) async -> Result<GeneratedImage, GenerationError> {
        let body = Txt2Img(prompt: request.prompt, negativePrompt: request.negativePrompt, seed: request.seed, steps: request.steps,
                           cfgScale: request.guidance, width: request.width, height: request.height)
        guard let json = try? JSONEncoder().encode(body) else { return .failure(.invalidRequest("cannot encode the request as JSON")) }
        let answer: Data
        do {
            answer = try await client.post(baseURL + "/sdapi/v1/txt2img", json: json)
        } catch {
            return .failure(Self.generationError(error))
        }
        guard let decoded = try? JSONDecoder().decode(Txt2ImgResponse.self, from: answer), let first = decoded.images.first else {
            return .failure(.badImage("the answer has no images: \(String(decoding: answer.prefix(120), as: UTF8.self))"))
        }
        // Some servers prefix a data URL header.
        let base64 = first.split(separator: ",", maxSplits: 1).last.map(String.init) ?? first
        guard let data = Data(base64Encoded: base64) else { return .failure(.badImage("images[0] is not base64")) }
        let png = [UInt8](data)
        do {
            let image = try ImageDecoder.decode(png)
            return .success(GeneratedImage(png: png, width: image.width, height: image.height))
        } catch {
            return .failure(.badImage("\(error)"))
        }
    }

    /// The HTTP side of every request: `timeout` per image, retries with backoff.
    var client: APIClient { APIClient(timeout: timeout, retries: retries, backoff: backoff) }

    /// What a failed exchange means for one image: the server's status and detail (`HTTP 422 from
    /// URL: ...`), or why it could not be reached, as a backend error; a timeout as a timeout.
    static func generationError(_ error: APIError) -> GenerationError {
        switch error {
        case .cancelled: .cancelled
        case .timedOut(_, let seconds): .timedOut(seconds: seconds)
        default: .backend(error.description)
        }
    }
}
