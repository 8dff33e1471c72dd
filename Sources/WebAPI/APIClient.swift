import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OODCore

/// A client for HTTP APIs that speak JSON, on Foundation's URLSession (libcurl on Linux): the
/// AUTOMATIC1111 backend of generate uses it, and any other web API can.
///
/// Each exchange has one deadline, `timeout` seconds for all of it (connect, send, wait, read). A
/// connection failure or a 5xx / 429 answer is retried `retries` times with exponential backoff
/// (`backoff`, then 2x, 4x, ...); any other non-2xx status fails at once with the server's detail;
/// a timeout is not retried. Answers are never cached and no cookies are kept.
public struct APIClient: Sendable {
    public var timeout: Double
    public var retries: Int
    public var backoff: Double
    /// Sent with every request (an `Authorization` header, say).
    public var headers: [String: String]

    public init(timeout: Double = 600, retries: Int = 3, backoff: Double = 0.5, headers: [String: String] = [:]) {
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.headers = headers
    }

    /// `GET url`: the body of the 2xx answer.
    public func get(_ url: String) async throws(APIError) -> Data {
        try await send("GET", url)
    }

    /// `POST url` with a JSON body: the body of the 2xx answer.
    public func post(_ url: String, json: Data) async throws(APIError) -> Data {
        try await send("POST", url, body: json, contentType: "application/json")
    }

    /// `POST url` with `body` encoded as JSON: the body of the 2xx answer.
    public func post(_ url: String, json body: some Encodable, encoder: JSONEncoder = JSONEncoder()) async throws(APIError) -> Data {
        let json: Data
        do { json = try encoder.encode(body) } catch {
            throw .invalidRequest(url: url, reason: "cannot encode the body as JSON: \(error)")
        }
        return try await post(url, json: json)
    }

    /// Sends one request, retrying what may pass on a later try: the body of the 2xx answer.
    public func send(_ method: String, _ url: String, body: Data? = nil, contentType: String? = nil) async throws(APIError) -> Data {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host != nil else {
            throw .invalidURL(url)
        }
        var request = URLRequest(url: parsed)
        request.httpMethod = method
        request.httpBody = body
        // libcurl's own (idle) timeout; the deadline below bounds the whole exchange.
        request.timeoutInterval = timeout
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        var attempt = 0
        while true {
            let failure: APIError
            switch await Self.exchange(request, url: url, timeout: timeout) {
            case .answer(let code, let data) where (200..<300).contains(code):
                return data
            case .answer(let code, let data):
                failure = .status(code, url: url, detail: Self.detail(data))
            case .failed(let error):
                failure = error
            case .deadline:
                failure = .timedOut(url: url, seconds: timeout)
            }
            if Task.isCancelled { throw .cancelled }
            guard failure.isRetryable, attempt < retries else { throw failure }
            do {
                try await Task.sleep(nanoseconds: UInt64(backoff * pow(2, Double(attempt)) * 1e9))
            } catch {
                throw .cancelled
            }
            attempt += 1
        }
    }

    /// The server's own words for a failure, on one line: `detail` or `error` of a JSON body (FastAPI,
    /// A1111 and OpenAI-style servers put it there), else the body's start.
    public static func detail(_ body: Data) -> String {
        var text: String
        if let object = try? JSONDecoder().decode([String: JSONValue].self, from: body),
           let value = object["detail"] ?? object["error"] {
            text = value.stringValue ?? (try? CanonicalJSON.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        } else {
            text = String(decoding: body.prefix(200), as: UTF8.self)
        }
        return Self.oneLine(text)
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    enum Outcome: Sendable {
        case answer(Int, Data)
        case failed(APIError)
        case deadline
    }

    /// One attempt, bounded by the deadline and by the caller's task: whichever ends it first wins.
    ///
    /// Not `session.data(for:)`: on Linux its cancellation handler calls `URLSessionTask.cancel()`,
    /// which waits on the session's queue while the Swift task's status lock is held; when the
    /// session's queue is at that moment finishing the same request (resuming the task, which takes
    /// that lock), both wait forever, with a cooperative thread. CI hung that way. Here the
    /// cancellation handler only hands the cancel to another queue, and the answer, the deadline and
    /// a cancel each try to finish the one `PendingExchange`, which takes the first.
    static func exchange(_ request: URLRequest, url: String, timeout: Double) async -> Outcome {
        let pending = PendingExchange()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let task = session.dataTask(with: request) { data, response, error in
                    pending.finish(outcome(data: data, response: response, error: error, url: url))
                }
                pending.start(task, continuation: continuation, timeout: timeout)
            }
        } onCancel: {
            pending.cancel()
        }
    }

    /// What URLSession's completion handler was given, as an outcome.
    static func outcome(data: Data?, response: URLResponse?, error: (any Error)?, url: String) -> Outcome {
        if let error = error as? URLError {
            switch error.code {
            case .timedOut: return .deadline
            case .cancelled: return .failed(.cancelled)
            default:
                let reason = oneLine(error.localizedDescription)
                return .failed(.unreachable(url: url, reason: reason.isEmpty ? "URLError \(error.code.rawValue)" : reason))
            }
        }
        if let error { return .failed(.unreachable(url: url, reason: oneLine("\(error)"))) }
        guard let http = response as? HTTPURLResponse else {
            return .failed(.unreachable(url: url, reason: "the answer is not HTTP"))
        }
        return .answer(http.statusCode, data ?? Data())
    }

    /// One session for every client: connections to a server are kept and reused between requests.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        // Callers bound their own concurrency (generate's --concurrency); do not queue behind them.
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()
}
