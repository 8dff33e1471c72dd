import Captions
import Foundation
import TestVenv
import Testing

/// ChatClient against a real HTTP server (Tests/interop/chat_peer.py) that answers, fails, stalls and
/// talks nonsense on request.
@Suite(.serialized) struct ChatClientTests {
    /// Tests/interop/chat_peer.py as a PeerServer, with its request counter.
    final class Peer {
        let server: PeerServer
        var url: String { server.url }

        init() throws {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("interop/chat_peer.py")
            server = try PeerServer([script.path])
        }

        func requests() throws -> Int {
            let data = try Data(contentsOf: URL(string: url + "/count")!)
            return (try JSONSerialization.jsonObject(with: data) as? [String: Int])?["count"] ?? -1
        }

        func stop() { server.stop() }
    }

    func request(_ model: String, seed: Int = 7) -> ChatRequest {
        ChatRequest(model: model, messages: [.init(role: "user", content: "List animals that look like a cat.")], seed: seed)
    }

    @Test func answersAreCachedSoARerunNeverAsksAgain() async throws {
        let peer = try Peer()
        defer { peer.stop() }
        #expect(peer.url.hasPrefix("http://127.0.0.1:"), "\(peer.url)")
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("chat-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let client = ChatClient(baseURL: peer.url + "/", apiKey: "s3cret", cache: cache)
        let first = try await client.complete(request("good"))
        #expect(first.content == "1. Lynx\n2. Ocelot\n3. seed 7 (key)" && !first.cached)
        let again = try await ChatClient(baseURL: peer.url, cache: cache).complete(request("good"))
        #expect(again.content == first.content && again.cached)
        #expect(try peer.requests() == 1)
        // Another seed is another question.
        let other = try await client.complete(request("good", seed: 8))
        #expect(other.content.contains("seed 8") && !other.cached)
        #expect(try peer.requests() == 2)
        // The key never reaches the cache.
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(files.count == 2)
        for file in files {
            let text = try String(contentsOf: cache.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("s3cret") && text.contains("\"model\":\"good\""), "\(text)")
        }
    }

    @Test func busyServersAreRetriedAndBadAnswersSaySo() async throws {
        let peer = try Peer()
        defer { peer.stop() }
        let client = ChatClient(baseURL: peer.url, cache: nil, timeout: 2, retries: 2, backoff: 0.05)
        #expect(try await client.complete(request("flaky-2")).content.hasPrefix("1. Lynx"))
        await #expect(throws: LLMError.self) { try await client.complete(request("flaky-5")) }
        do {
            _ = try await client.complete(request("flaky-9"))
            Issue.record("a server that keeps failing must throw")
        } catch {
            #expect(error.description.contains("HTTP 503") && error.description.contains("model is loading"), "\(error)")
        }
        for (model, words) in [("junk", "not chat-completion JSON"), ("empty", "no choices[0].message.content")] {
            do {
                _ = try await client.complete(request(model))
                Issue.record("\(model) must throw")
            } catch {
                #expect(error.description.contains(words) && !error.description.contains("\n"), "\(error)")
            }
        }
        do {
            _ = try await client.complete(request("slow"))
            Issue.record("a stalled server must time out")
        } catch {
            #expect(error.description.contains("within 2 s"), "\(error)")
        }
    }

    @Test func aDeadServerIsOneLine() async throws {
        let client = ChatClient(baseURL: "http://127.0.0.1:9/v1", cache: nil, timeout: 2, retries: 1, backoff: 0.05)
        do {
            _ = try await client.complete(request("good"))
            Issue.record("nothing listens on port 9")
        } catch {
            #expect(error.description.hasPrefix("http://127.0.0.1:9/v1/chat/completions") && !error.description.contains("\n"), "\(error)")
        }
    }
}

/// LLMConceptSource over the same peer: every class and kind asked once, answers in a fixed order.
@Suite(.serialized) struct LLMConceptSourceTests {
    @Test func everyClassAndKindIsAskedAndFailuresAreCounted() async throws {
        let peer = try ChatClientTests.Peer()
        defer { peer.stop() }
        let client = ChatClient(baseURL: peer.url, cache: nil, timeout: 5, retries: 0)
        let source = LLMConceptSource(client: client, model: "good", seed: 3, perClass: 2, concurrency: 3)
        let outcome = await source.propose(classes: ["cat", "sea_horse"])
        #expect(outcome.asked == 6 && outcome.failed == 0 && outcome.cached == 0)
        // perClass caps each answer (the peer lists three); order is class, kind, answer.
        #expect(outcome.proposals.map(\.phrase) == Array(repeating: ["lynx", "ocelot"], count: 6).flatMap { $0 })
        #expect(outcome.proposals.map(\.className) == ["cat", "cat", "cat", "cat", "cat", "cat",
                                                      "sea_horse", "sea_horse", "sea_horse", "sea_horse", "sea_horse", "sea_horse"])
        #expect(outcome.proposals.prefix(6).map(\.kind) == [.near, .near, .fineGrained, .fineGrained, .far, .far])
        #expect(source.request(label: "sea horse", kind: .near).messages[1].content.contains("a sea horse"))

        let failing = await LLMConceptSource(client: client, model: "flaky-99", seed: 3, perClass: 2).propose(classes: ["cat"])
        #expect(failing.proposals.isEmpty && failing.failed == 3)
        #expect(failing.firstError?.contains("HTTP 503") == true, "\(failing.firstError ?? "nil")")
    }
}
