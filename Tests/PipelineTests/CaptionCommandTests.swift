import Captions
import Foundation
import Testing
import TestVenv

/// `oodsynth caption` at the command line on gaps of Samples embedded with the builtin model.
@Suite(.serialized) struct CaptionCommandTests {
    static let gaps: Result<URL, Error> = Result {
        let input = try GapsCommandTests.embedded.get().path
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("oodsynth gaps --method mix --count 12 -q -i '\(input)' -o '\(dir.path)/g.tar'")
        guard run.status == 0 else { throw GapsCommandTests.ShellFailure(message: run.stderr) }
        return dir.appendingPathComponent("g.tar")
    }

    @Test func captionsNameNoIDConceptAndLandNearerTheirGap() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let wordnet = try #require(try? WordNet(), "wordnet-base is not installed (scripts/setup installs it)")
        let gaps = try Self.gaps.get().path
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try Shell.run("oodsynth caption --per-gap 3 --pool 1500 -i '\(gaps)' -o '\(out.path)/c.tar'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("36 captions for 12 gaps"), "\(run.stderr)")
        // The share nearer to the gap than to any ID class prompt: the goal is 90%.
        let share = run.stderr.range(of: #"[0-9.]+% nearer"#, options: .regularExpression).map { Double(run.stderr[$0].dropLast(8)) ?? 0 } ?? 0
        #expect(share >= 90, "\(run.stderr)")
        let listing = try Shell.run("tar -tf '\(out.path)/c.tar' | grep '\\.txt$' | sort")
        let keys = String(decoding: listing.stdout, as: UTF8.self).split(separator: "\n")
        #expect(keys.count == 36 && keys.allSatisfy { $0.range(of: #"^[0-9]{9}_c0[0-2]\.txt$"#, options: .regularExpression) != nil }, "\(keys)")
        let texts = try Shell.run("for f in $(tar -tf '\(out.path)/c.tar' | grep '\\.txt$'); do tar -xOf '\(out.path)/c.tar' \"$f\"; echo; done")
        let captions = String(decoding: texts.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(captions.count == 36 && Set(captions).count == 36, "\(captions)")
        let classes = ["bird", "computer", "dessert", "flag", "fruit", "house", "insect", "mammal", "music", "smiley", "sport", "tool"]
        let concepts = IDConcepts(classNames: classes, wordnet: wordnet)
        for caption in captions {
            #expect(concepts.excludedMention(in: caption, allowingClassNames: true) == nil, "\(caption)")
        }
        let again = try Shell.run("oodsynth caption --per-gap 3 --pool 1500 -q -i '\(gaps)' | cmp - '\(out.path)/c.tar'")
        #expect(again.status == 0, "captions are not byte-identical across runs: \(again.stderr)")
    }

    @Test func streamWithoutGapsIsAOneLineError() throws {
        let input = try GapsCommandTests.embedded.get().path
        let run = try Shell.run("oodsynth caption -i '\(input)'")
        #expect(run.status != 0)
        #expect(run.stderr.contains("no gaps; run oodsynth gaps first"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }

    /// Concepts from a chat server (Tests/interop/chat_peer.py answering like a model asked about each
    /// class, with a chatty line, markdown, and ID concepts such as sparrow for bird among its items):
    /// the ID concepts are dropped, the LLM's concepts take at least --llm-share of each gap's
    /// captions, each of those is nearer its gap than any ID class prompt, every caption's json names
    /// its source, and a rerun with the server gone gives the same bytes from the cache.
    @Test func llmConceptsPassTheGatesTakeTheirShareAndReplayFromTheCache() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let wordnet = try #require(try? WordNet(), "wordnet-base is not installed (scripts/setup installs it)")
        let gaps = try Self.gaps.get().path
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let server = try PeerServer([Shell.repository.appendingPathComponent("Tests/interop/chat_peer.py").path])
        let url = server.url
        let command = "oodsynth caption --per-gap 3 --pool 1500 --concepts wordnet+llm:\(url) --llm-model concepts --llm-cache '\(out.path)/cache'"
        let run = try Shell.run("\(command) -i '\(gaps)' -o '\(out.path)/c.tar'")
        server.stop()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("36 captions for 12 gaps"), "\(run.stderr)")
        #expect(run.stderr.contains("requests: 36 asked, 0 cached, 0 failed"), "\(run.stderr)")
        #expect(run.stderr.contains("that name an ID concept, dropped: sparrow"), "\(run.stderr)")

        let records = try Self.records(in: out.appendingPathComponent("c.tar"))
        #expect(records.count == 36)
        let classes = ["bird", "computer", "dessert", "flag", "fruit", "house", "insect", "mammal", "music", "smiley", "sport", "tool"]
        let concepts = IDConcepts(classNames: classes, wordnet: wordnet)
        var perGap: [String: Int] = [:]
        for (caption, json) in records {
            let source = try #require(json["source"] as? [String: Any], "\(json)")
            #expect(["wordnet", "llm"].contains(source["name"] as? String ?? ""), "\(source)")
            guard source["name"] as? String == "llm" else { continue }
            #expect(source["model"] as? String == "concepts" && classes.contains(source["class"] as? String ?? ""), "\(source)")
            #expect(["near", "fine-grained", "far"].contains(source["kind"] as? String ?? ""), "\(source)")
            for concept in json["concepts"] as? [[String: Any]] ?? [] {
                #expect(concepts.idMention(inProposal: concept["text"] as? String ?? "") == nil, "\(caption): \(concept)")
            }
            #expect((json["gap_similarity"] as? Double ?? 0) > (json["id_similarity"] as? Double ?? 1), "\(json)")
            perGap[json["gap_key"] as? String ?? "", default: 0] += 1
        }
        // --llm-share 0.5 of 3 captions: at least 2 per gap, as enough concepts pass here.
        #expect(perGap.count == 12 && perGap.values.allSatisfy { $0 >= 2 }, "\(perGap)")
        for caption in records.map(\.0) {
            #expect(!["sparrow", "granny smith", "kitten", "ladybug", "ice cream", "union jack", "hammer"].contains { caption.contains($0) }, "\(caption)")
        }

        // The server is gone: the cache answers every request, to the byte.
        let again = try Shell.run("\(command) -i '\(gaps)' -o '\(out.path)/again.tar' && cmp '\(out.path)/c.tar' '\(out.path)/again.tar'")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("requests: 0 asked, 36 cached, 0 failed"), "\(again.stderr)")
    }

    /// A server that is down: with llm alone a one-line error naming it; with wordnet+llm a warning
    /// and WordNet's captions.
    @Test func aDeadServerIsOneLineOrAFallbackToWordNet() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let gaps = try Self.gaps.get().path
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let dead = "http://127.0.0.1:\(PeerServer.freePort())/v1"
        let options = "--per-gap 2 --pool 800 --llm-cache none --llm-timeout 5"
        let alone = try Shell.run("oodsynth caption \(options) --concepts llm:\(dead) -q -i '\(gaps)' -o '\(out.path)/a.tar'")
        #expect(alone.status != 0)
        #expect(alone.stderr.contains(dead) && alone.stderr.contains("no request was answered"), "\(alone.stderr)")
        #expect(alone.stderr.split(separator: "\n").count == 1, "\(alone.stderr)")
        let mixed = try Shell.run("oodsynth caption \(options) --concepts wordnet+llm:\(dead) -i '\(gaps)' -o '\(out.path)/m.tar'")
        #expect(mixed.status == 0, "\(mixed.stderr)")
        #expect(mixed.stderr.contains("captions come from WordNet alone"), "\(mixed.stderr)")
        let records = try Self.records(in: out.appendingPathComponent("m.tar"))
        #expect(records.count == 24 && records.allSatisfy { ($0.1["source"] as? [String: Any])?["name"] as? String == "wordnet" })
        let bad = try Shell.run("oodsynth caption --concepts llm:ftp://x -i '\(gaps)'")
        #expect(bad.status != 0 && bad.stderr.contains("is not an http(s) URL"), "\(bad.stderr)")
    }

    /// Each caption sample's text and json, in stream order.
    static func records(in tar: URL) throws -> [(String, [String: Any])] {
        let list = try Shell.run("tar -tf '\(tar.path)' | grep '_c[0-9]*\\.json$'")
        return try String(decoding: list.stdout, as: UTF8.self).split(separator: "\n").map { name in
            let json = try Shell.run("tar -xOf '\(tar.path)' '\(name)'").stdout
            let text = try Shell.run("tar -xOf '\(tar.path)' '\(name.dropLast(4))txt'").stdout
            return (String(decoding: text, as: UTF8.self), try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:])
        }
    }
}
