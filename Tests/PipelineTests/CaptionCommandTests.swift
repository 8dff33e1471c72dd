import Captions
import Foundation
import Testing

/// `oodsynth caption` at the command line on gaps of Samples embedded with the builtin model.
@Suite struct CaptionCommandTests {
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
}
