import Foundation
import Testing

/// `scripts/ray-run`: the manifest's plan (`oodsynth plan`) run as Ray tasks (`oodsynth task`) on a
/// local cluster of several Ray nodes (Tests/interop/ray_cluster.py), against `oodsynth run` byte for
/// byte, and with a node lost half way. Skipped when Python has no ray (scripts/setup test installs it).
/// Serialized: each test starts a cluster of its own, and 2 cores hold one at a time.
@Suite(.serialized) struct RayRunTests {
    static let hasRay = (try? Shell.run("python3 -c 'import ray'"))?.status == 0

    /// The demo, small (under 2 minutes in a debug build): few gaps, small images, no adapter (its
    /// config.json records the out folder), and small shards so the plan has parallel tasks (3 id
    /// blocks, 3 generate blocks) for the nodes to share.
    static let sets = """
        --set gaps.count=24 --set write.max-count=8 --set train=null --set shards.images=120 --set shards.targets=16 \
        --set caption.pool=800 --set generate.size=32 --set generate.steps=5 --set decode.max-side=64
        """

    /// The oodsynth the tests were built with: ray-run's Ray tasks run it by this absolute path.
    static var oodsynth: String { Shell.binaries.appendingPathComponent("oodsynth").path }

    /// The same job by `oodsynth run`, in one process.
    static let expected: Result<URL, Error> = Result {
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("oodsynth run manifests/demo.yaml --out '\(dir.path)/out' \(sets) -q")
        guard run.status == 0 else { throw GapsCommandTests.ShellFailure(message: run.stderr) }
        return dir.appendingPathComponent("out")
    }

    /// A throwaway Ray cluster on this machine; `stop()` ends its processes only.
    struct Cluster {
        let directory: String
        let address: String

        init(_ arguments: String = "") throws {
            let started = try Shell.run("""
                d=$(mktemp -d /tmp/rc.XXXXXX) && echo "$d" \
                && { python3 Tests/interop/ray_cluster.py start "$d" \(arguments) \
                     || { python3 Tests/interop/ray_cluster.py stop "$d"; exit 1; }; }
                """)
            let lines = String(decoding: started.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
            guard started.status == 0, lines.count == 2 else {
                throw GapsCommandTests.ShellFailure(message: "cannot start a Ray cluster: \(started.stderr)")
            }
            (directory, address) = (lines[0], lines[1])
        }

        func stop() {
            _ = try? Shell.run("python3 Tests/interop/ray_cluster.py stop '\(directory)'")
        }
    }

    /// `diff -r` of two out folders, and that they hold shards at all.
    static func sameOutput(_ expected: URL, _ actual: String) throws -> Shell.Result {
        try Shell.run("diff -r '\(expected.path)' '\(actual)' && ls '\(actual)' | grep -q '^ood-000000.tar$'")
    }

    @Test(.enabled(if: hasRay, "python3 has no ray (scripts/setup test installs it)"))
    func twoNodesWriteWhatRunWrites() throws {
        let expected = try Self.expected.get()
        let cluster = try Cluster()
        defer { cluster.stop() }
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            timeout 1800 scripts/ray-run manifests/demo.yaml --out '\(dir.path)/out' --address \(cluster.address) \
              \(Self.sets) --oodsynth '\(Self.oodsynth)'
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains(" tasks run, 0 skipped, "), "\(run.stderr)")
        let diff = try Self.sameOutput(expected, dir.path + "/out")
        #expect(diff.status == 0, "ray-run and run differ: \(String(decoding: diff.stdout, as: UTF8.self)) \(diff.stderr)")
    }

    @Test(.enabled(if: hasRay, "python3 has no ray (scripts/setup test installs it)"))
    func aLostNodeChangesNothing() throws {
        let expected = try Self.expected.get()
        // A head without CPUs (the driver's node, which must live) and two worker nodes: every task
        // runs on a worker, whatever the plan's shape, and one worker survives the other.
        let cluster = try Cluster("--head-cpus 0 --workers 2")
        defer { cluster.stop() }
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.path + "/out", events = dir.path + "/out.work/ray-events.jsonl"
        let job = "manifests/demo.yaml --out '\(out)' --address \(cluster.address) \(Self.sets) --oodsynth '\(Self.oodsynth)'"
        // SIGKILL the raylet of the node that runs the second task to start, as soon as it starts.
        let killed = try Shell.run("""
            timeout 1800 scripts/ray-run \(job) 2> '\(dir.path)/ray-run.log' & pid=$!
            if read -r node raylet < <(python3 Tests/interop/ray_cluster.py wait-start '\(cluster.directory)' '\(events)' --nth 2 --timeout 900); then
                kill -9 "$raylet"; echo "killed $node"
            fi
            wait $pid; echo "status $?"
            """)
        let log = (try? String(contentsOfFile: dir.path + "/ray-run.log", encoding: .utf8)) ?? ""
        let killedOutput = String(decoding: killed.stdout, as: UTF8.self)
        #expect(killedOutput.contains("killed worker") && killedOutput.contains("status 0"), "\(killedOutput) \(killed.stderr) \(log)")
        // The task cut short on the lost node started again on the other one.
        let retried = try Shell.run("""
            python3 - '\(cluster.directory)/cluster.json' '\(events)' <<'EOF'
            import json, sys
            nodes = json.load(open(sys.argv[1]))["nodes"]
            events = [json.loads(line) for line in open(sys.argv[2])]
            ended = {(e["task"], e["node_id"]) for e in events if e["event"] == "finish"}
            dead = [n["node_id"] for n in nodes if n["name"] != "head"
                    and any(e["node_id"] == n["node_id"] and (e["task"], n["node_id"]) not in ended for e in events)]
            assert len(dead) == 1, f"no task cut short on one node: {events}"
            for e in events:
                if e["node_id"] == dead[0] and (e["task"], dead[0]) not in ended:
                    assert any(r["task"] == e["task"] and r["node_id"] != dead[0] for r in events if r["event"] == "finish"), e["task"]
            EOF
            """)
        #expect(retried.status == 0, "\(retried.stderr)")
        let diff = try Self.sameOutput(expected, out)
        #expect(diff.status == 0, "the run that lost a node differs: \(String(decoding: diff.stdout, as: UTF8.self)) \(diff.stderr)")
        let partials = try Shell.run("find '\(out)' '\(out).work' -name '*.partial'")
        #expect(partials.status == 0 && partials.stdout.isEmpty, "left behind: \(String(decoding: partials.stdout, as: UTF8.self))")
        // Everything is done: a resumed run runs nothing.
        let resumed = try Shell.run("timeout 600 scripts/ray-run \(job) --resume")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("ray-run: 0 tasks run, "), "\(resumed.stderr)")
        #expect(!resumed.stderr.contains(" 0 skipped"), "\(resumed.stderr)")
        let again = try Self.sameOutput(expected, out)
        #expect(again.status == 0, "the resumed run changed the output")
    }

    @Test func helpShowsUsageAndExamples() throws {
        let help = try Shell.run("scripts/ray-run --help")
        let text = String(decoding: help.stdout, as: UTF8.self)
        #expect(help.status == 0, "\(help.stderr)")
        for word in ["usage: ray-run", "--address", "--resume", "--set", "--oodsynth", "--max-retries", "examples:", "oodsynth plan"] {
            #expect(text.contains(word), "--help lacks \(word): \(text)")
        }
        // Without ray and without a manifest: a usage error, not a traceback.
        let bad = try Shell.run("scripts/ray-run")
        #expect(bad.status == 2 && bad.stderr.contains("usage: ray-run") && !bad.stderr.contains("Traceback"), "\(bad.stderr)")
    }
}
