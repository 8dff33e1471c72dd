import Foundation
import Testing
import Workers

/// `oodsynth embed --backend worker:CMD` against the real worker, scripts/embed-worker.py (transformers
/// CLIP on the CPU), on the tiny CLIP folder the native tests use.
@Suite struct EmbedWorkerTests {
    static let model = EmbedTests.tinyCLIP
    static let worker = "worker:python3 scripts/embed-worker.py --model \(model) --device cpu"
    static let flaky = "worker:python3 Tests/interop/flaky_worker.py"

    static var hasTransformers: Bool {
        (try? Shell.run("python3 -c 'import torch, transformers, webdataset'"))?.status == 0
    }

    @Test func workerEmbedsLikeNative() throws {
        try #require(Self.hasTransformers, "torch and transformers are not installed (scripts/setup test installs them)")
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = dir.path
        let run = try Shell.run("""
            oodsynth decode \(DecodeWriteTests.samples) --max-side 256 -q -o '\(d)/d.tar' \
            && oodsynth embed --model \(Self.model) -q -i '\(d)/d.tar' -o '\(d)/native.tar' \
            && oodsynth embed --model \(Self.model) --backend "\(Self.worker)" --batch 50 -i '\(d)/d.tar' -o '\(d)/worker.tar' \
            && python3 Tests/interop/compare_embeddings.py '\(d)/native.tar' '\(d)/worker.tar' 1e-4
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("360 images and 360 captions"), "\(run.stderr)")
        let report = String(decoding: run.stdout, as: UTF8.self)
        #expect(report.contains("\"backend\": \"\(Self.worker)\""), "\(report)")
        #expect(report.contains("\"kernel\": \"torch "), "\(report)")
    }

    @Test func aBadWorkerIsAOneLineErrorNamingIt() throws {
        for (worker, message) in [
            ("\(Self.flaky) --exit-at-start", "flaky_worker.py --exit-at-start exited with status 4 before its handshake"),
            ("\(Self.flaky) --no-handshake", "flaky_worker.py --no-handshake: its first line is not an oodsynth-embed-worker handshake: Loading pipeline"),
            // A generate worker is not an embed worker.
            ("\(Self.flaky) --hang", "its first line is not an oodsynth-embed-worker handshake: {\"protocol\": \"oodsynth-worker\""),
        ] {
            let run = try Shell.run("oodsynth decode \(EmbedTests.input) -q | oodsynth embed --model \(Self.model) --backend '\(worker)' > /dev/null")
            #expect(run.status != 0)
            let ours = run.stderr.split(separator: "\n").filter { !$0.hasPrefix("flaky_worker:") }
            #expect(ours.count == 1 && ours[0].contains(message), "\(run.stderr)")
        }
        for (backend, message) in [("gpu", "--backend must be native or worker:CMD"), (Self.worker, "needs --model CLIP_FOLDER")] {
            let run = try Shell.run("oodsynth embed --backend '\(backend)' < /dev/null")
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
    }

    /// The header names the --model folder's weights, so a worker that loaded other weights is refused.
    @Test func aWorkerWithOtherWeightsIsRefused() throws {
        try #require(Self.hasTransformers, "torch and transformers are not installed (scripts/setup test installs them)")
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            cp -r \(Self.model) '\(dir.path)/other' \
            && python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-1]^=1; open(sys.argv[1],"wb").write(d)' '\(dir.path)/other/model.safetensors' \
            && oodsynth decode \(EmbedTests.input) -q | oodsynth embed --model '\(dir.path)/other' --backend "\(Self.worker)" > /dev/null
            """)
        #expect(run.status != 0)
        #expect(run.stderr.contains("it loaded \(Self.model) with weights"), "\(run.stderr)")
    }

    /// SIGKILL leaves oodsynth no chance to stop its worker: the kernel must (parent-death signal),
    /// at once, not when the worker is next idle. It is killed while the worker still imports torch,
    /// both when `sh` execs the worker and when it forks it (a compound command).
    @Test func killingOodsynthKillsItsWorker() throws {
        try #require(Self.hasTransformers, "torch and transformers are not installed (scripts/setup test installs them)")
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let decoded = try Shell.run("oodsynth decode \(EmbedTests.input) -q -o '\(dir.path)/d.tar'")
        #expect(decoded.status == 0, "\(decoded.stderr)")
        let stream = try Data(contentsOf: dir.appendingPathComponent("d.tar"))
        for worker in [Self.worker, Self.worker + "; exit $?"] {
            let input = Pipe()
            let process = try ChildProcess(
                Shell.binaries.appendingPathComponent("oodsynth").path, ["embed", "-q", "--model", Self.model, "--backend", worker],
                environment: Shell.environment,  // its worker's python3 is the venv's
                directory: Shell.repository.path, input: .descriptor(input.fileHandleForReading.fileDescriptor),
                output: .null, error: .null)
            try input.fileHandleForReading.close()
            // Part of a stream, then nothing: oodsynth starts the worker and waits for samples.
            try input.fileHandleForWriting.write(contentsOf: stream.prefix(stream.count / 2))
            let found = Self.waitForWorker(below: process.pid)
            // Past its first lines (where it asks for the signal), well before torch is imported.
            usleep(500_000)
            process.signal(SIGKILL)
            process.wait()
            try input.fileHandleForWriting.close()
            let pid = try #require(found, "no worker process started below oodsynth")
            let deadline = Date(timeIntervalSinceNow: 2)
            while Self.isRunning(pid) && Date() < deadline { usleep(20_000) }
            #expect(!Self.isRunning(pid), "worker \(pid) outlived oodsynth (\(worker))")
            if Self.isRunning(pid) { kill(pid, SIGKILL) }
        }
    }

    /// The pid of the Python worker among `parent`'s descendants, once it exists.
    static func waitForWorker(below parent: Int32, timeout: Double = 20) -> Int32? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            var frontier = [parent]
            while let pid = frontier.popLast() {
                let arguments = ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").split(separator: "\0")
                if pid != parent, arguments.first?.contains("python") == true, arguments.contains(where: { $0.hasSuffix("embed-worker.py") }) {
                    return pid
                }
                frontier += children(of: pid)
            }
            usleep(20_000)
        }
        return nil
    }

    /// Children are listed per thread: oodsynth starts its workers from a thread of their own.
    static func children(of pid: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { Int32($0) }
        }
    }

    /// Alive and not a zombie (a container's init may never reap the dead).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(end, offsetBy: 2)...].prefix(1)
        return state != "Z" && state != "X"
    }
}
