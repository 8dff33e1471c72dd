import Foundation
import TestVenv
import Testing
@testable import WebAPI

/// APIClient against a real HTTP server: Python's http.server on a free port, with routes that fail
/// a set number of times, answer slowly, or echo what they were sent.
@Suite(.serialized) struct APIClientTests {
    static let serverScript = #"""
    import http.server, json, sys, time, urllib.parse
    counts = {}
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def answer(self, code, payload, raw=None):
            body = raw if raw is not None else json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def route(self, body):
            url = urllib.parse.urlparse(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            counts[url.path] = counts.get(url.path, 0) + 1
            if url.path == "/echo":
                return self.answer(200, {"method": self.command, "body": body.decode(),
                                         "type": self.headers.get("Content-Type"), "token": self.headers.get("X-Token")})
            if url.path == "/count":
                return self.answer(200, {"count": counts.get(query["path"], 0)})
            if url.path.startswith("/flaky"):
                if counts[url.path] <= int(query["fail"]):
                    return self.answer(int(query["code"]), {"error": "busy, try again"})
                return self.answer(200, {"attempts": counts[url.path]})
            if url.path.startswith("/status/"):
                return self.answer(int(url.path.split("/")[2]), {"detail": "width must be\na multiple of 8"})
            if url.path == "/text":
                return self.answer(500, None, raw=b"Internal\nServer Error")
            if url.path == "/slow":
                time.sleep(float(query["s"]))
                return self.answer(200, {"slept": query["s"]})
            self.answer(404, {"detail": "Not Found"})
        def do_GET(self):
            self.route(b"")
        def do_POST(self):
            self.route(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()
    """#

    /// The script above as a PeerServer (Tests/TestVenv), with its request counter.
    final class Server {
        let peer: PeerServer
        var url: String { peer.url }

        init() throws {
            let script = FileManager.default.temporaryDirectory.appendingPathComponent("apiclient-server-\(UUID().uuidString).py")
            try APIClientTests.serverScript.write(to: script, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: script) }
            peer = try PeerServer([script.path])
        }

        func stop() { peer.stop() }

        /// How many requests the server has seen on `path`.
        func count(_ path: String) async throws -> Int {
            let data = try await APIClient(timeout: 10).get(url + "/count?path=" + path)
            return try JSONDecoder().decode([String: Int].self, from: data)["count"] ?? -1
        }
    }

    struct Echo: Codable, Equatable {
        var method: String
        var body: String
        var type: String?
        var token: String?
    }

    @Test func sendsJSONAndHeadersAndReturnsTheBody() async throws {
        let server = try Server()
        defer { server.stop() }
        let client = APIClient(timeout: 10, headers: ["X-Token": "secret"])
        let posted = try JSONDecoder().decode(Echo.self, from: try await client.post(server.url + "/echo", json: ["prompt": "a cat"]))
        #expect(posted == Echo(method: "POST", body: #"{"prompt":"a cat"}"#, type: "application/json", token: "secret"))
        let got = try JSONDecoder().decode(Echo.self, from: try await client.get(server.url + "/echo"))
        #expect(got == Echo(method: "GET", body: "", type: nil, token: "secret"))
    }

    @Test func retries5xxAnd429WithBackoffThenSucceeds() async throws {
        let server = try Server()
        defer { server.stop() }
        let client = APIClient(timeout: 10, retries: 3, backoff: 0.05)
        for code in [503, 429] {
            let started = Date()
            let data = try await client.get(server.url + "/flaky\(code)?fail=2&code=\(code)")
            #expect(String(decoding: data, as: UTF8.self) == #"{"attempts": 3}"#)
            // Two waits: 0.05 s, then 0.1 s.
            #expect(Date().timeIntervalSince(started) >= 0.15)
        }
        do {
            _ = try await APIClient(timeout: 10, retries: 1, backoff: 0.01).get(server.url + "/flakyAgain?fail=5&code=500")
            Issue.record("a server that keeps failing was taken for an answer")
        } catch {
            #expect(error == .status(500, url: server.url + "/flakyAgain?fail=5&code=500", detail: "busy, try again"))
        }
        #expect(try await server.count("/flakyAgain") == 2)
    }

    @Test func otherStatusesFailAtOnceWithTheServersDetailOnOneLine() async throws {
        let server = try Server()
        defer { server.stop() }
        let client = APIClient(timeout: 10, retries: 3, backoff: 0.05)
        do {
            _ = try await client.post(server.url + "/status/422", json: Data("{}".utf8))
            Issue.record("422 was taken for an answer")
        } catch {
            #expect(error.description == "HTTP 422 from \(server.url)/status/422: width must be a multiple of 8")
            #expect(!error.isRetryable)
        }
        #expect(try await server.count("/status/422") == 1)
        do {
            _ = try await APIClient(timeout: 10, retries: 0).get(server.url + "/text")
            Issue.record("500 was taken for an answer")
        } catch {
            #expect(error.description == "HTTP 500 from \(server.url)/text: Internal Server Error")
        }
    }

    @Test func aSlowAnswerTimesOutWithoutRetries() async throws {
        let server = try Server()
        defer { server.stop() }
        // No wall-clock bound: the test may wait for a thread of a busy pool. The server answers
        // after 3 s, so a client that did not time out would get that answer, not the error.
        do {
            _ = try await APIClient(timeout: 0.5, retries: 3, backoff: 0.05).get(server.url + "/slow?s=3")
            Issue.record("no timeout")
        } catch {
            #expect(error == .timedOut(url: server.url + "/slow?s=3", seconds: 0.5))
            #expect(error.description == "no answer from \(server.url)/slow?s=3 within 0.5 s")
        }
        #expect(try await server.count("/slow") == 1)
        // A deadline longer than the wait lets the answer through.
        let data = try await APIClient(timeout: 5).get(server.url + "/slow?s=0.3")
        #expect(String(decoding: data, as: UTF8.self) == #"{"slept": "0.3"}"#)
    }

    @Test func anUnreachableServerIsRetriedThenNamed() async throws {
        let url = "http://127.0.0.1:\(PeerServer.freePort())/sdapi/v1/options"
        let started = Date()
        do {
            _ = try await APIClient(timeout: 5, retries: 2, backoff: 0.1).get(url)
            Issue.record("connected to nothing")
        } catch {
            guard case .unreachable(let named, let reason) = error else { Issue.record("\(error)"); return }
            #expect(named == url)
            #expect(!reason.isEmpty && !reason.contains("\n"), "\(reason)")
            #expect(error.description.hasPrefix(url + ": "), "\(error)")
        }
        // Two waits: 0.1 s, then 0.2 s.
        #expect(Date().timeIntervalSince(started) >= 0.3)
    }

    @Test func refusesWhatIsNotAnHTTPURL() async {
        for url in ["ftp://example.org/x", "127.0.0.1:7860/x", "not a url"] {
            await #expect(throws: APIError.invalidURL(url)) { try await APIClient().get(url) }
        }
    }

    @Test func cancellingStopsAnExchangeAtOnce() async throws {
        let server = try Server()
        defer { server.stop() }
        // The answer would come after 5 s: an exchange that went on past the cancel would return it.
        let url = server.url + "/slow?s=5"
        let task = Task { try await APIClient(timeout: 30).get(url) }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else { Issue.record("\(result)"); return }
        #expect(error as? APIError == .cancelled, "\(error)")
    }

    /// Answers that arrive just as their deadline fires, many at once: each exchange ends with the
    /// answer or the timeout (URLSession's own async API could deadlock here, the cancel waiting on
    /// the session's queue while that queue waited to resume the cancelled task).
    @Test func answersRacingTheirDeadlineEachEndOnce() async throws {
        let server = try Server()
        defer { server.stop() }
        let client = APIClient(timeout: 0.1, retries: 0)
        let url = server.url + "/slow?s=0.1"
        let ends = await withTaskGroup(of: String.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    do {
                        _ = try await client.get(url)
                        return "answer"
                    } catch let error as APIError {
                        return error == .timedOut(url: url, seconds: 0.1) ? "timeout" : "\(error)"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(ends.count == 60)
        #expect(ends.allSatisfy { $0 == "answer" || $0 == "timeout" }, "\(Set(ends))")
    }
}
