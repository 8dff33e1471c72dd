import Captions
import Foundation
import Workers
import TestVenv
import Testing

/// LLMConceptSource against scripts/llm-server.py, a real transformers model behind a real
/// OpenAI-compatible server (`--tiny-random`: random weights, so its answers are deterministic junk).
@Suite(.serialized) struct LLMServerTests {
    static let hasTransformers: Bool = {
        let run = try? ChildProcess.run("/usr/bin/env", ["python3", "-c", "import torch, transformers"],
                                        environment: Venv.environment, stderr: .discard)
        return run?.status == 0
    }()

    @Test(.enabled(if: hasTransformers, "torch and transformers are needed (scripts/setup test installs them)"))
    func theServerAnswersEveryRequestAndTheCacheReplaysItExactly() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let server = try PeerServer([repository.appendingPathComponent("scripts/llm-server.py").path, "--tiny-random", "--port", "0", "--threads", "1"])
        defer { server.stop() }
        let url = server.url
        try #require(url.hasSuffix("/v1"), "\(url)")

        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("llm-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        func source(_ cache: URL) -> LLMConceptSource {
            LLMConceptSource(client: ChatClient(baseURL: url, cache: cache, timeout: 120), model: "tiny", seed: 0, perClass: 3)
        }
        let first = await source(cache).propose(classes: ["cat", "bird"])
        #expect(first.asked == 6 && first.failed == 0 && first.cached == 0, "\(first.firstError ?? "")")
        // Random weights answer junk: whatever is no concept is counted, not fatal.
        #expect(first.proposals.count + first.skipped.values.reduce(0, +) > 0)
        let replay = await source(cache).propose(classes: ["cat", "bird"])
        #expect(replay.cached == 6 && replay.asked == 0)
        #expect(replay.proposals == first.proposals && replay.skipped == first.skipped)
        // Greedy decoding: a fresh cache asks again and gets the same answers.
        let other = cache.appendingPathComponent("fresh")
        let again = await source(other).propose(classes: ["cat", "bird"])
        #expect(again.asked == 6 && again.proposals == first.proposals)
    }
}
