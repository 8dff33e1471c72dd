import AsyncHTTPClient
import Foundation
import Imaging
import NIOCore
import OODCore

/// `--backend a1111:URL`: the AUTOMATIC1111 / Forge web API (`POST /sdapi/v1/txt2img`), one HTTP
/// request per image so that every image keeps its own seed, at most `concurrency` in flight.
///
/// Connection failures and 5xx / 429 answers are retried with exponential backoff (0.5 s, 1 s, 2 s,
/// ...); other 4xx answers fail the request with the server's detail; a request that takes longer
/// than `timeout` fails as timed out.
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
            let body = try await Self.send(HTTPClientRequest(url: base + "/sdapi/v1/options"), timeout: min(timeout, 30),
                                           retries: self.retries, backoff: backoff)
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
        var http = HTTPClientRequest(url: baseURL + "/sdapi/v1/txt2img")
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        guard let json = try? JSONEncoder().encode(body) else { return .failure(.invalidRequest("cannot encode the request as JSON")) }
        http.body = .bytes(ByteBuffer(bytes: json))
        let answer: Data
        do {
            answer = try await Self.send(http, timeout: timeout, retries: retries, backoff: backoff)
        } catch {
            return .failure(error)
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

    /// Sends `request`, retrying what may pass on a second try; the body of a 2xx answer.
    static func send(_ request: HTTPClientRequest, timeout: Double, retries: Int, backoff: Double) async throws(GenerationError) -> Data {
        var attempt = 0
        while true {
            let failure: GenerationError
            let retryable: Bool
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
                let body = try await response.body.collect(upTo: 256 << 20)
                let data = Data(body.readableBytesView)
                switch response.status.code {
                case 200..<300: return data
                case 429, 500..<600:
                    failure = .backend("HTTP \(response.status.code): \(Self.detail(data))")
                    retryable = true
                default:
                    failure = .backend("HTTP \(response.status.code): \(Self.detail(data))")
                    retryable = false
                }
            } catch is CancellationError {
                throw .cancelled
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                throw .timedOut(seconds: timeout)
            } catch {
                if Task.isCancelled { throw .cancelled }
                failure = .backend("\(error)")
                retryable = true
            }
            guard retryable, attempt < retries else { throw failure }
            do {
                try await Task.sleep(nanoseconds: UInt64(backoff * pow(2, Double(attempt)) * 1e9))
            } catch {
                throw .cancelled
            }
            attempt += 1
        }
    }

    /// The server's own words for a failure: `detail` or `error` of a JSON body, else the body's start.
    static func detail(_ body: Data) -> String {
        if let object = try? JSONDecoder().decode([String: JSONValue].self, from: body),
           let value = object["detail"] ?? object["error"] {
            return value.stringValue ?? (try? CanonicalJSON.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }
}
