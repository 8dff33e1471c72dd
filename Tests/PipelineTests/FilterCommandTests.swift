import Foundation
import Testing

/// `oodsynth filter` on builtin-generated images of Samples gaps; every decision and score is
/// recomputed by Tests/interop/check_filter.py (numpy) from the filter's own outputs.
@Suite struct FilterCommandTests {
    static let generated: Result<URL, Error> = Result {
        let references = try GapsCommandTests.embedded.get().path
        let captions = try GenerateCommandTests.captioned.get().path
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("oodsynth generate --references '\(references)' --size 48 --steps 8 -q -i '\(captions)' -o '\(dir.path)/g.tar'")
        guard run.status == 0 else { throw GapsCommandTests.ShellFailure(message: run.stderr) }
        return dir.appendingPathComponent("g.tar")
    }

    struct Check: Decodable {
        var samples: Int
        var kept: Int
        var agree: Int
        var maxScoreError: Double
        var problems: [[String: String?]]?

        enum CodingKeys: String, CodingKey {
            case samples, kept, agree, maxScoreError = "max_score_error", problems
        }
    }

    func filter(_ options: String, batch: Int = 64) throws -> (stderr: String, check: Check, dir: URL) {
        let references = try GapsCommandTests.embedded.get().path
        let generated = try Self.generated.get().path
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("""
            oodsynth filter --references '\(references)' --batch \(batch) \(options) -i '\(generated)' \
            -o '\(dir.path)/kept.tar' --rejects '\(dir.path)/rejects.tar'
            """)
        try #require(run.status == 0, "\(run.stderr)")
        let check = try Shell.run("cd Tests/interop && python3 check_filter.py '\(references)' '\(dir.path)/kept.tar' '\(dir.path)/rejects.tar' \(batch)")
        try #require(check.status == 0, "\(check.stderr)")
        return (run.stderr, try JSONDecoder().decode(Check.self, from: check.stdout), dir)
    }

    @Test func defaultThresholdsAgreeWithTheNumpyPeer() throws {
        let (stderr, check, dir) = try filter("")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(check.samples == 12)
        #expect(check.agree == check.samples, "\(check)")
        #expect(check.maxScoreError < 1e-5, "\(check)")
        #expect(stderr.contains("filter: kept \(check.kept) of 12"), "\(stderr)")
    }

    @Test func lenientThresholdsKeepSomeAndCatchCopies() throws {
        // Small batches, batch quantiles, and a dedup cosine low enough that the ID-patch mosaics of
        // the builtin generator count as copies of their nearest ID image now and then.
        let (stderr, check, dir) = try filter("--min-alignment q0.2 --rank 4 --max-id-similarity q0.9 --min-novelty q0.2 --dedup 0.87", batch: 5)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(check.agree == check.samples && check.samples == 12, "\(check)")
        #expect(check.kept > 0, "\(stderr)")
        #expect(stderr.contains("copies-id") || stderr.contains("duplicate"), "\(stderr)")
        let kept = try Shell.run("""
            cd Tests/interop && python3 -c "
            import json, sys
            from oodstream import samples
            s = samples(sys.argv[1])
            stages = [x['name'] for x in json.loads(s[0][1]['json'])['stages']]
            print(stages[-1], all('img.npy' in f and json.loads(f['json'])['filter']['kept'] for _, f in s[1:]))
            " '\(dir.path)/kept.tar'
            """)
        #expect(String(decoding: kept.stdout, as: UTF8.self).hasPrefix("filter True"), "\(kept.stderr)")
        let again = try Shell.run("""
            oodsynth filter --references '\(try GapsCommandTests.embedded.get().path)' --batch 5 --min-alignment q0.2 --rank 4 \
            --max-id-similarity q0.9 --min-novelty q0.2 --dedup 0.87 -q -i '\(try Self.generated.get().path)' | cmp - '\(dir.path)/kept.tar'
            """)
        #expect(again.status == 0, "filter output differs between runs: \(again.stderr)")
    }

    @Test func samplesWithoutImagesAreSkippedAndBadOptionsRefused() throws {
        let references = try GapsCommandTests.embedded.get().path
        let captions = try GenerateCommandTests.captioned.get().path
        let skipped = try Shell.run("oodsynth filter --references '\(references)' -i '\(captions)' > /dev/null")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("kept 0 of 12") && skipped.stderr.contains("no-image 12"), "\(skipped.stderr)")

        let badThreshold = try Shell.run("oodsynth filter --references '\(references)' --min-novelty p200 < /dev/null")
        #expect(badThreshold.status != 0 && badThreshold.stderr.contains("--min-novelty"), "\(badThreshold.stderr)")
        let unembedded = try Shell.run("""
            cd "$(mktemp -d)" && oodsynth decode -q '\(Shell.repository.path)/Samples/openclipart-12.tar' > id.tar \
            && oodsynth filter --references id.tar -i '\(try Self.generated.get().path)' > /dev/null
            """)
        #expect(unembedded.status != 0)
        #expect(unembedded.stderr.contains("id.tar: the ID stream has no embeddings"), "\(unembedded.stderr)")
        #expect(unembedded.stderr.split(separator: "\n").count == 1, "\(unembedded.stderr)")
    }

    /// A filter that keeps nothing says so with the counts and what to loosen; write then refuses to
    /// call an empty dataset a success unless asked to, and evaluate names the empty set.
    @Test func keepingNothingIsNeverSilent() throws {
        let references = try GapsCommandTests.embedded.get().path
        let generated = try Self.generated.get().path
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            oodsynth filter --references '\(references)' --min-novelty 2 -i '\(generated)' -o '\(dir.path)/none.tar' \
            && oodsynth write --out '\(dir.path)/empty' -i '\(dir.path)/none.tar'
            """)
        #expect(run.status != 0)
        #expect(run.stderr.contains("filter: kept 0 of 12 samples (rejected: ") && run.stderr.contains("not-novel -> --min-novelty"), "\(run.stderr)")
        // Whatever reason each sample got first, the novelty test alone keeps none of them.
        #expect(run.stderr.contains("each test alone keeps: ") && run.stderr.contains("not-novel 0, "), "\(run.stderr)")
        #expect(run.stderr.contains("empty: wrote 0 samples") && run.stderr.contains("--allow-empty"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/empty/manifest.json"), "the empty dataset's manifest was not written")
        let allowed = try Shell.run("oodsynth write --out '\(dir.path)/allowed' --allow-empty -q -i '\(dir.path)/none.tar'")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let evaluate = try Shell.run("""
            oodsynth evaluate --id-train Samples/openclipart-12.tar --id-test Samples/openclipart-12.tar \
              --ood-test Samples/openclipart-12.tar --synthetic '\(dir.path)/allowed' -q
            """)
        #expect(evaluate.status != 0 && evaluate.stderr.contains("\(dir.path)/allowed: the set is empty (0 samples)"), "\(evaluate.stderr)")
        let train = try Shell.run("""
            oodsynth train --id-train Samples/openclipart-12.tar --synthetic '\(dir.path)/allowed' --out '\(dir.path)/adapter' -q
            """)
        #expect(train.status != 0 && train.stderr.contains("\(dir.path)/allowed: the synthetic set is empty (0 samples"), "\(train.stderr)")
        #expect(train.stderr.split(separator: "\n").count == 1, "\(train.stderr)")
    }
}
