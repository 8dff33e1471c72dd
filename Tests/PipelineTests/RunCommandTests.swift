import Foundation
import Testing

/// `oodsynth run`: the manifest runner against the same stages chained by pipes, byte for byte, and
/// resumed after SIGKILLs at several points.
@Suite struct RunCommandTests {
    /// A small job on Samples: few gaps, a small caption pool, tiny images.
    static let manifest = """
        input: Samples/openclipart-12.tar
        out: unused
        model: builtin
        seed: 3
        decode: {max-side: 64}
        gaps: {method: mix, count: 4}
        caption: {per-gap: 2, pool: 800}
        generate: {size: 32, steps: 5}
        filter: {min-alignment: q0.2, rank: 8, max-id-similarity: q0.9, min-novelty: q0.3}
        write: {max-count: 3}
        """

    /// The same job as `oodsynth A | oodsynth B ...`, written to a folder.
    static let piped: Result<URL, Error> = Result {
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("""
            set -e
            oodsynth decode Samples/openclipart-12.tar --max-side 64 -q | oodsynth embed --model builtin -q > '\(dir.path)/id.tar'
            oodsynth gaps --method mix --count 4 --seed 3 -q < '\(dir.path)/id.tar' \
              | oodsynth caption --model builtin --seed 3 --per-gap 2 --pool 800 -q \
              | oodsynth generate --seed 3 --size 32 --steps 5 --references '\(dir.path)/id.tar' -q \
              | oodsynth filter --model builtin --min-alignment q0.2 --rank 8 --max-id-similarity q0.9 --min-novelty q0.3 \
                  --references '\(dir.path)/id.tar' -q \
              | oodsynth write --max-count 3 --out '\(dir.path)/out' -q
            """)
        guard run.status == 0 else { throw GapsCommandTests.ShellFailure(message: run.stderr) }
        return dir.appendingPathComponent("out")
    }

    static func writeManifest() throws -> URL {
        let dir = try Shell.temporaryDirectory()
        try manifest.write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func runEqualsThePipedStagesByteForByte() throws {
        let expected = try Self.piped.get()
        let dir = try Self.writeManifest()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("oodsynth run '\(dir.path)/job.yaml' --out '\(dir.path)/out'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("filter: kept") && run.stderr.contains("write: "), "\(run.stderr)")
        let diff = try Shell.run("diff -r '\(expected.path)' '\(dir.path)/out' && ls '\(dir.path)/out' | grep -c '_stats.json$'")
        #expect(diff.status == 0, "run and pipes differ: \(String(decoding: diff.stdout, as: UTF8.self)) \(diff.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/out.work"), "the work folder was left behind")
    }

    @Test func fitInTheManifestEqualsDecodeFitEmbedByHand() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let work = dir.path + "/work"
        // The stage records name the model folder, so the hand-made chain uses the run's own paths.
        let chain = try Shell.run("""
            set -e
            mkdir -p '\(work)'
            oodsynth decode Samples/openclipart-12.tar --max-side 64 -q > '\(work)/decoded.tar'
            oodsynth fit '\(work)/decoded.tar' --out '\(work)/model' --seed 3 --centroids 32 --patch-samples 4000 -q
            oodsynth embed --model '\(work)/model' -q < '\(work)/decoded.tar' > '\(work)/id.tar'
            oodsynth gaps --method mix --count 12 --seed 3 -q < '\(work)/id.tar' \
              | oodsynth caption --model '\(work)/model' --seed 3 --per-gap 1 --pool 600 -q \
              | oodsynth generate --seed 3 --size 24 --steps 4 --references '\(work)/id.tar' -q \
              | oodsynth filter --model '\(work)/model' --min-alignment=-1 --rank 99 --max-id-similarity 1 --min-novelty 0 \
                  --references '\(work)/id.tar' -q \
              | oodsynth write --out '\(dir.path)/piped' -q
            rm -rf '\(work)'
            """)
        try #require(chain.status == 0, "\(chain.stderr)")
        let manifest = """
            input: Samples/openclipart-12.tar
            out: \(dir.path)/run
            work: \(work)
            seed: 3
            decode: {max-side: 64}
            fit: {centroids: 32, patch-samples: 4000}
            gaps: {method: mix, count: 12}
            caption: {per-gap: 1, pool: 600}
            generate: {size: 24, steps: 4}
            filter: {min-alignment: "-1", rank: 99, max-id-similarity: 1, min-novelty: 0}
            train: {epochs: 2, outlier-weights: "0,1"}
            keep-work: true
            """
        try manifest.write(toFile: dir.path + "/job.yaml", atomically: true, encoding: .utf8)
        let run = try Shell.run("oodsynth run '\(dir.path)/job.yaml'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("fit: wrote"), "\(run.stderr)")
        let diff = try Shell.run("diff -r -x adapter '\(dir.path)/piped' '\(dir.path)/run'")
        #expect(diff.status == 0, "run with fit and the hand-made chain differ: \(String(decoding: diff.stdout, as: UTF8.self))")
        // train: {...} equals oodsynth train by hand on the run's model and dataset.
        let trained = try Shell.run("""
            oodsynth train --model '\(work)/model' --id-train Samples/openclipart-12.tar --synthetic '\(dir.path)/run' \
              --out '\(dir.path)/hand' --seed 3 --epochs 2 --outlier-weights 0,1 -q \
            && cmp '\(dir.path)/hand/config.json' '\(dir.path)/run/adapter/config.json' \
            && cmp '\(dir.path)/hand/adapter.safetensors' '\(dir.path)/run/adapter/adapter.safetensors'
            """)
        #expect(trained.status == 0, "\(trained.stderr)\(String(decoding: trained.stdout, as: UTF8.self))")
    }

    @Test func resumesAfterKillsToTheSameOutput() throws {
        let expected = try Self.piped.get()
        let dir = try Self.writeManifest()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = "'\(dir.path)/job.yaml' --out '\(dir.path)/out' -q"
        // SIGKILL while the ID set is being embedded, while images are being generated, and while
        // shards are being written; each time resume, and end with a run that completes.
        let waits = [
            "[ -e '\(dir.path)/out.work/id/00000.tar.partial' ]",
            // Synthesis takes tens of seconds here (the caption pool alone); 2 s in, it is mid-task.
            "[ -e '\(dir.path)/out.work/targets.tar.partial' ] && sleep 2",
            "[ -e '\(dir.path)/out.work/kept/00000_done.json' ]",
        ]
        for (index, wait) in waits.enumerated() {
            let resume = index == 0 ? "" : "--resume"
            let killed = try Shell.run("""
                oodsynth run \(job) \(resume) & pid=$!
                for _ in $(seq 6000); do if \(wait); then break; fi; kill -0 $pid 2>/dev/null || break; sleep 0.02; done
                kill -9 $pid 2>/dev/null; wait $pid; echo "status $?"
                """)
            // The first two points come long before the run could end: the kill must have landed.
            let status = String(decoding: killed.stdout, as: UTF8.self)
            #expect(index == 2 ? status.contains("status") : status.contains("status 137"), "\(status) \(killed.stderr)")
        }
        let finish = try Shell.run("oodsynth run \(job) --resume")
        #expect(finish.status == 0, "\(finish.stderr)")
        let diff = try Shell.run("diff -r '\(expected.path)' '\(dir.path)/out'")
        #expect(diff.status == 0, "the resumed run differs: \(String(decoding: diff.stdout, as: UTF8.self)) \(diff.stderr)")
    }

    @Test(arguments: [
        ("colour: blue", "unknown key 'colour'"),
        ("gaps: {count: 4, flavour: sweet}", "gaps: Unknown option '--flavour'"),
        ("gaps: {count: many}", "gaps: The value 'many' is invalid for '--count"),
        ("generate: {references: x.tar}", "generate.references: not allowed in a manifest"),
        ("input: nowhere.tar", "input: nowhere.tar: no such file or folder"),
        ("model: /no/such/model", "model: /no/such/model: no such folder"),
        ("filter: {min-novelty: p400}", "filter: --min-novelty must be"),
        ("gaps: [1, 2]", "gaps must be a mapping of its options"),
    ])
    func badManifestsStopBeforeAnyWork(line: String, message: String) throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines = Self.manifest.split(separator: "\n").map(String.init)
        let key = line.split(separator: ":")[0]
        lines.removeAll { $0.hasPrefix(key + ":") }
        lines.append(line)
        try lines.joined(separator: "\n").write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        let run = try Shell.run("oodsynth run '\(dir.path)/job.yaml' --out '\(dir.path)/out'")
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "\(line): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(line): \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/out.work"), "\(line): work started")
    }

    @Test func theShippedManifestsAreValid() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Shell.repository.path + "/manifests").filter { $0.hasSuffix(".yaml") }
        #expect(names.count >= 3)
        for name in names {
            // The CLIP folders are the user's download; the builtin model stands in for the check.
            let run = try Shell.run("oodsynth run manifests/\(name) --check --set model=builtin --out /tmp/oodsynth-check-\(UUID().uuidString)")
            #expect(run.status == 0 && run.stderr.contains("OK"), "\(name): \(run.stderr)")
        }
    }

    @Test func setOverridesAndLeftoversAreRefused() throws {
        let dir = try Self.writeManifest()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(atPath: dir.path + "/out.work", withIntermediateDirectories: true)
        let leftover = try Shell.run("oodsynth run '\(dir.path)/job.yaml' --out '\(dir.path)/out'")
        #expect(leftover.status != 0 && leftover.stderr.contains("--resume"), "\(leftover.stderr)")
        let bad = try Shell.run("oodsynth run '\(dir.path)/job.yaml' --out '\(dir.path)/out2' --set gaps.count=zero")
        #expect(bad.status != 0 && bad.stderr.contains("gaps: The value 'zero' is invalid"), "\(bad.stderr)")
    }

    /// A run whose filter keeps nothing fails and says why, instead of an empty dataset and status 0.
    @Test func anEmptyResultFailsTheRun() throws {
        let dir = try Self.writeManifest()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("oodsynth run '\(dir.path)/job.yaml' --out '\(dir.path)/out' --set filter.min-novelty=2")
        #expect(run.status != 0)
        #expect(run.stderr.contains("filter: kept 0 of"), "\(run.stderr)")
        #expect(run.stderr.contains("wrote 0 samples") && run.stderr.contains("write.allow-empty: true"), "\(run.stderr)")
    }
}
