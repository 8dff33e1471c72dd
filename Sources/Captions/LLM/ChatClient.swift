import Foundation
import OODCore
import WebAPI

/// Asks an OpenAI-compatible server for chat completions, through an on-disk cache: an answer is
/// stored under the SHA-256 of the endpoint and the whole request (model, messages, seed, ...), so a
/// rerun, or `run --resume`, reads it back instead of asking again and gets the same bytes.
public struct ChatClient: Sendable {
    /// `URL/chat/completions`.
    public let endpoint: String
    public let api: APIClient
    /// Folder of cached answers; nil: no cache.
    public let cache: URL?

    /// `baseURL` as users write it for these servers, e.g. `http://127.0.0.1:8080/v1`. `apiKey` goes
    /// into the Authorization header only: never on a command line, in a stream header or the cache.
    public init(baseURL: String, apiKey: String? = nil, cache: URL?, timeout: Double = 120, retries: Int = 3, backoff: Double = 1) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        endpoint = base + "/chat/completions"
        var headers: [String: String] = [:]
        if let apiKey, !apiKey.isEmpty { headers["Authorization"] = "Bearer \(apiKey)" }
        api = APIClient(timeout: timeout, retries: retries, backoff: backoff, headers: headers)
        self.cache = cache
    }

    /// The first choice's message content, and whether it came from the cache.
    public func complete(_ request: ChatRequest) async throws(LLMError) -> (content: String, cached: Bool) {
        let key = try cacheKey(request)
        if let cache, let content = Self.cachedContent(cache.appendingPathComponent(key + ".json")) {
            return (content, true)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body: Data
        do {
            body = try await api.post(endpoint, json: request, encoder: encoder)
        } catch {
            throw .server(error)
        }
        let content = try Self.content(of: body, endpoint: endpoint)
        if let cache { try store(content, request: request, at: cache.appendingPathComponent(key + ".json")) }
        return (content, false)
    }

    /// The SHA-256 (hex) of the endpoint and the request's canonical JSON.
    public func cacheKey(_ request: ChatRequest) throws(LLMError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(request) else { throw .invalidRequest("cannot encode the request as JSON") }
        var hasher = SHA256()
        hasher.update(Data("oodsynth-chat-cache-v1\n\(endpoint)\n".utf8))
        hasher.update(json)
        return SHA256.hex(hasher.finalize())
    }

    /// `choices[0].message.content` of an answer.
    static func content(of body: Data, endpoint: String) throws(LLMError) -> String {
        struct Answer: Decodable {
            struct Choice: Decodable {
                struct Message: Decodable { var content: String? }
                var message: Message?
                var text: String?
            }
            var choices: [Choice]?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: body) else {
            throw .malformed("\(endpoint): the answer is not chat-completion JSON: \(APIClient.detail(body))")
        }
        guard let choice = answer.choices?.first, let content = choice.message?.content ?? choice.text else {
            throw .malformed("\(endpoint): the answer has no choices[0].message.content")
        }
        return content
    }

    static func cachedContent(_ file: URL) -> String? {
        guard let data = try? Data(contentsOf: file),
              let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else { return nil }
        return object["content"]?.stringValue
    }

    /// Answer and request (for a reader of the cache), written atomically: a killed run leaves either
    /// the whole entry or none.
    private func store(_ content: String, request: ChatRequest, at file: URL) throws(LLMError) {
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let entry: JSONValue = .object([
                "endpoint": .string(endpoint),
                "request": try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(request)),
                "content": .string(content),
            ])
            try Data(CanonicalJSON.encode(entry)).write(to: file, options: .atomic)
        } catch {
            throw .cache("\(file.path): cannot write the cached answer: \(error)")
        }
    }
}
