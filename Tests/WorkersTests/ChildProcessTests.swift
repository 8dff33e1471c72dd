import Foundation
import Synchronization
import Testing
@testable import Workers

/// ChildProcess against real children (`sh`, `cat`, `ls`).
@Suite struct ChildProcessTests {
    @Test func runCapturesBothStreamsTheStatusAndFeedsStdin() throws {
        let input = Data((0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        // More than a pipe holds on each side: a helper that wrote all of stdin before reading
        // stdout, or read stdout to its end before stderr, would block here.
        let copied = try ChildProcess.run("/bin/sh", ["-c", "cat; head -c 300000 /dev/zero >&2; exit 3"], input: input)
        #expect(copied.stdout == input)
        #expect(copied.stderr.count == 300_000)
        #expect(copied.termination == .exited(3) && copied.status == 3)

        let here = try ChildProcess.run("/bin/sh", ["-c", "pwd; echo \"$GREETING\"; cat"],
                                        environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"], directory: "/tmp")
        #expect(String(decoding: here.stdout, as: UTF8.self) == "/tmp\nhello\n", "stdin is /dev/null when no input is given")

        let killed = try ChildProcess.run("/bin/sh", ["-c", "kill -9 $$"])
        #expect(killed.termination == .signalled(9) && killed.status == 137)
        #expect(killed.termination.description == "was killed by signal 9")
    }

    @Test func aMissingExecutableIsAnErrorNamingIt() {
        #expect(throws: ChildProcessError.cannotStart(executable: "/no/such/tool", reason: "No such file or directory")) {
            _ = try ChildProcess.run("/no/such/tool", [])
        }
    }

    /// The child gets its three standard descriptors and nothing else of ours, even a descriptor
    /// without close-on-exec (as Foundation's Pipe makes them).
    @Test func theChildInheritsOnlyItsStandardDescriptors() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        #expect(ends[0] >= 3 && ends[1] >= 3)
        // `ls` lists its own open directory too, at the lowest free number: 3 when 0-2 are all it got.
        let listed = try ChildProcess.run("/bin/sh", ["-c", "exec ls /proc/self/fd"])
        let descriptors = String(decoding: listed.stdout, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
        #expect(descriptors == [0, 1, 2, 3], "\(descriptors)")
    }

    /// A command ignoring SIGPIPE (some of ours do, to report EPIPE) must not pass that on: in a
    /// pipeline the writer then dies quietly of SIGPIPE rather than printing "Broken pipe".
    @Test func childrenStartWithSIGPIPEAtItsDefault() throws {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let piped = try ChildProcess.run("/bin/sh", ["-c", "yes | head -n 1"])
        #expect(String(decoding: piped.stdout, as: UTF8.self) == "y\n")
        #expect(piped.stderr.isEmpty, "\(String(decoding: piped.stderr, as: UTF8.self))")
    }

    @Test func waitsWithAndWithoutDeadlineAndSignalsTheGroup() throws {
        // sh and its sleep share the child's own group: signalling the group ends both.
        let child = try ChildProcess("/bin/sh", ["-c", "sleep 30 & wait"], newProcessGroup: true)
        #expect(child.wait(seconds: 0.2) == nil && child.isRunning)
        child.signal(SIGTERM, group: true)
        #expect(child.wait() == .signalled(SIGTERM))
        #expect(child.termination == .signalled(SIGTERM) && !child.isRunning)
        child.signal(SIGKILL, group: true)   // reaped: its pid is no longer ours to signal
        #expect(child.wait(seconds: 0) == .signalled(SIGTERM))
    }

    /// Many children at once from many threads, beside long-lived ones: each short run ends when its
    /// child does. A descriptor leaked into a long-lived child would hold a run until that child
    /// ends, so the sleepers outliving all the runs is the check, not a wall-clock limit (the
    /// cooperative pool may start this test late; the runs use their own threads so it cannot
    /// starve them).
    @Test func concurrentRunsAreNotHeldUpByLongLivedSiblings() throws {
        let sleepers = try (0..<4).map { _ in try ChildProcess("/bin/sleep", ["900"]) }
        defer { for sleeper in sleepers { sleeper.signal(SIGKILL); sleeper.wait() } }
        let outputs = Mutex<[String: String]>([:])
        let failures = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        for index in 0..<4 {
            let thread = Thread {
                defer { done.signal() }
                for round in 0..<20 {
                    do {
                        let echoed = try ChildProcess.run("/bin/sh", ["-c", "echo \(index).\(round)"])
                        outputs.withLock { $0["\(index).\(round)"] = String(decoding: echoed.stdout, as: UTF8.self) }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            thread.start()
        }
        for _ in 0..<4 { done.wait() }
        #expect(failures.withLock { $0 }.isEmpty)
        let echoed = outputs.withLock { $0 }
        #expect(echoed.count == 80 && echoed.allSatisfy { $0.value == $0.key + "\n" })
        #expect(sleepers.allSatisfy { $0.isRunning }, "a short run waited for a sleeper to end")
    }
}
