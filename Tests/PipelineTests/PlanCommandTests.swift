import Foundation
import Testing

/// `oodsynth plan` and `oodsynth task`: the tasks run one by one as separate processes (as the Ray
/// driver runs them) write what `oodsynth run` writes, and the ID shards concatenate to the unsharded
/// stream byte for byte.
@Suite struct PlanCommandTests {
    /// RunCommandTests' small job, cut into 4 ID shards, 4 kNN blocks and 3 generate | filter shards.
    static let manifest = RunCommandTests.manifest + "\nshards: {images: 100, targets: 3, knn: 100}\nkeep-work: true\n"

    static func tasks(_ plan: String) throws -> [String] {
        let list = try Shell.run("python3 -c 'import json,sys; print(\"\\n\".join(t[\"name\"] for t in json.load(open(sys.argv[1]))[\"tasks\"]))' '\(plan)'")
        return String(decoding: list.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func tasksByHandEqualRunAndShardsConcatenateToTheWholeStream() throws {
        let dir = try RunCommandTests.writeManifest()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.manifest.write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        let run = try Shell.run("oodsynth run '\(dir.path)/job.yaml' --out '\(dir.path)/run' -q")
        try #require(run.status == 0, "\(run.stderr)")

        let plan = try Shell.run("oodsynth plan '\(dir.path)/job.yaml' --out '\(dir.path)/byhand'")
        try #require(plan.status == 0, "\(plan.stderr)")
        let path = String(decoding: plan.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path == dir.path + "/byhand.work/plan.json")
        let names = try Self.tasks(path)
        #expect(names.filter { $0.hasPrefix("id-") }.count == 4, "\(names)")
        #expect(names.filter { $0.hasPrefix("generate-") }.count == 3, "\(names)")
        #expect(names.contains("synthesize") && names.contains("knn-00000") && names.last == "write", "\(names)")
        for name in names {
            let task = try Shell.run("oodsynth task '\(path)' \(name) -q")
            try #require(task.status == 0, "\(name): \(task.stderr)")
        }
        // The outputs and every intermediate stream are the same; the done files name their own paths.
        let diff = try Shell.run("diff -r '\(dir.path)/run' '\(dir.path)/byhand' && diff -r -x plan.json -x '*_done.json' '\(dir.path)/run.work' '\(dir.path)/byhand.work'")
        #expect(diff.status == 0, "run and the tasks by hand differ: \(String(decoding: diff.stdout, as: UTF8.self).prefix(2000))")

        // The four decode --range | embed shards, concatenated, are the unsharded stream.
        let whole = try Shell.run("""
            oodsynth decode Samples/openclipart-12.tar --max-side 64 -q | oodsynth embed --model builtin -q > '\(dir.path)/whole.tar'
            cmp '\(dir.path)/whole.tar' '\(dir.path)/run.work/id.tar'
            """)
        #expect(whole.status == 0, "the ID shards do not concatenate to the whole stream: \(String(decoding: whole.stdout, as: UTF8.self)) \(whole.stderr)")

        // gaps on the four kNN blocks is gaps on its own N x N products.
        let blocks = (0..<4).map { "--self-knn '\(dir.path)/run.work/knn/0000\($0).npy'" }.joined(separator: " ")
        let gaps = try Shell.run("""
            oodsynth gaps --method mix --count 4 --seed 3 -q < '\(dir.path)/run.work/id.tar' > '\(dir.path)/g1.tar'
            oodsynth gaps --method mix --count 4 --seed 3 \(blocks) -q < '\(dir.path)/run.work/id.tar' > '\(dir.path)/g2.tar'
            cmp '\(dir.path)/g1.tar' '\(dir.path)/g2.tar'
            """)
        #expect(gaps.status == 0, "gaps with the kNN blocks differs: \(gaps.stderr) \(String(decoding: gaps.stdout, as: UTF8.self))")
        let short = try Shell.run("oodsynth gaps --self-knn '\(dir.path)/run.work/knn/00000.npy' -q < '\(dir.path)/run.work/id.tar'")
        #expect(short.status != 0 && short.stderr.contains("100 k-th-NN distances for an ID set of 360"), "\(short.stderr)")

        // A task run again writes the same bytes; its done file records them.
        let again = try Shell.run("""
            sha256sum '\(dir.path)/byhand.work/kept/00001.tar' > '\(dir.path)/sum'
            oodsynth task '\(path)' generate-00001 -q && sha256sum -c '\(dir.path)/sum' \
            && grep -q "$(cut -d' ' -f1 '\(dir.path)/sum')" '\(dir.path)/byhand.work/kept/00001_done.json'
            """)
        #expect(again.status == 0, "\(again.stderr) \(String(decoding: again.stdout, as: UTF8.self))")
    }

    @Test func tasksRefuseWhatTheyCannotRun() throws {
        let dir = try RunCommandTests.writeManifest()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.manifest.write(to: dir.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        let plan = try Shell.run("oodsynth plan '\(dir.path)/job.yaml' --out '\(dir.path)/out'")
        try #require(plan.status == 0, "\(plan.stderr)")
        let path = dir.path + "/out.work/plan.json"
        let early = try Shell.run("oodsynth task '\(path)' synthesize")
        #expect(early.status != 0 && early.stderr.contains("task synthesize: its input") && early.stderr.contains("embeddings.tar is missing"), "\(early.stderr)")
        #expect(early.stderr.split(separator: "\n").count == 1, "\(early.stderr)")
        let unknown = try Shell.run("oodsynth task '\(path)' nothing")
        #expect(unknown.status != 0 && unknown.stderr.contains("no task named nothing"), "\(unknown.stderr)")
        let broken = try Shell.run("echo '{' > '\(dir.path)/bad.json'; oodsynth task '\(dir.path)/bad.json' id-00000")
        #expect(broken.status != 0 && broken.stderr.contains("bad.json: not an oodsynth plan"), "\(broken.stderr)")
        // Planned again without --resume: the work folder is an earlier run's; with --resume and
        // another cut, the plan differs from the one the work belongs to.
        let leftover = try Shell.run("oodsynth plan '\(dir.path)/job.yaml' --out '\(dir.path)/out'")
        #expect(leftover.status != 0 && leftover.stderr.contains("--resume"), "\(leftover.stderr)")
        let changed = try Shell.run("oodsynth plan '\(dir.path)/job.yaml' --out '\(dir.path)/out' --resume --set shards.images=50")
        #expect(changed.status != 0 && changed.stderr.contains("another plan"), "\(changed.stderr)")
        let same = try Shell.run("oodsynth plan '\(dir.path)/job.yaml' --out '\(dir.path)/out' --resume")
        #expect(same.status == 0, "\(same.stderr)")
        let zero = try Shell.run("oodsynth plan '\(dir.path)/job.yaml' --out '\(dir.path)/out2' --set shards.images=0")
        #expect(zero.status != 0 && zero.stderr.contains("shards.images must be a whole number"), "\(zero.stderr)")
    }
}
