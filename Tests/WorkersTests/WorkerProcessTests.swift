import Foundation
import Testing
@testable import Workers

/// WorkerProcess against real child processes (`sh` one-liners).
@Suite struct WorkerProcessTests {
    struct Handshake: WorkerHandshaking {
        static let protocolName = "test-worker"
        static let protocolVersion = 2
        var `protocol`: String
        var version: Int
    }

    /// The parent-death signal follows the thread that started the child: a worker started from a
    /// thread that then ends must live on (`SpawnThread`), as `generate` starts its workers so.
    @Test func aWorkerOutlivesTheThreadThatAskedForIt() throws {
        let started = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var worker: WorkerProcess?
        let thread = Thread {
            worker = try? WorkerProcess(command: "sleep 30")
            started.signal()
        }
        thread.start()
        started.wait()
        let process = try #require(worker)
        usleep(500_000)     // the asking thread has ended by now
        #expect(process.exitDescription == "is still running")
        process.kill()
        #expect(process.exitDescription.contains("killed by signal"), "\(process.exitDescription)")
    }

    @Test func handshakesAreCheckedAndNamed() throws {
        let good = #"printf '%s\n' '{"protocol":"test-worker","version":2}' '{"answer":1}'; cat > /dev/null"#
        let (process, handshake) = try WorkerProcess.launch(good, startupTimeout: 10, handshake: Handshake.self)
        #expect(handshake.version == 2)
        #expect(process.readLine(timeout: 10) == .line(#"{"answer":1}"#))
        process.stop()
        #expect(process.exitDescription == "exited with status 0")

        let cases: [(String, String)] = [
            (#"echo '{"protocol":"test-worker","version":1}'"#, "speaks protocol version 1; oodsynth speaks 2"),
            ("echo loading; sleep 30", "its first line is not an test-worker handshake: loading"),
            ("echo nothing to see >&2; exit 5", "exited with status 5 before its handshake"),
        ]
        for (command, message) in cases {
            do {
                _ = try WorkerProcess.launch(command, startupTimeout: 10, handshake: Handshake.self)
                Issue.record("\(command) passed as a handshake")
            } catch {
                #expect(error.description.contains("worker \(command)") && error.description.contains(message), "\(error)")
            }
        }
    }
}
