import CSpawn
import Foundation
import Synchronization

/// A child process started with posix_spawn and reaped with waitpid, without Foundation's `Process`.
///
/// Foundation's `Process` on Linux lists our open descriptors when it prepares a spawn and closes
/// those in the child, so a descriptor another thread opens meanwhile leaks into it; and it learns of
/// each exit through a socket the child holds, on one manager thread shared by every child. A pipe
/// end or exit socket leaked into a long-lived child (a worker, a test's server) keeps another
/// child's reader or waiter blocked until that one exits. Here the child closes every descriptor
/// from 3 up at exec, and each child is waited for by whoever asks, on its own pid.
public final class ChildProcess: Sendable {
    /// How a child ended.
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        /// The exit status, or 128 + the signal as a shell reports it.
        public var status: Int32 {
            switch self {
            case .exited(let status): status
            case .signalled(let signal): 128 + signal
            }
        }

        /// "exited with status 1", "was killed by signal 9".
        public var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signalled(let signal): "was killed by signal \(signal)"
            }
        }
    }

    /// What one of the child's standard descriptors is.
    public enum Stream: Sendable {
        case inherit
        case null
        /// One of our descriptors; it stays ours (close our copy once the child has it).
        case descriptor(Int32)

        var raw: Int32 {
            switch self {
            case .inherit: Int32(OODSYNTH_SPAWN_INHERIT)
            case .null: Int32(OODSYNTH_SPAWN_NULL)
            case .descriptor(let descriptor): descriptor
            }
        }
    }

    public let pid: pid_t
    /// Set once, under the lock that also guards signalling: a reaped pid may belong to another process.
    private let ended = Mutex<Termination?>(nil)

    /// Starts `executable` (a path; "/usr/bin/env" to search PATH) with `arguments`, in `directory`,
    /// with `environment` (ours when nil).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: String? = nil, input: Stream = .null, output: Stream = .inherit,
                error: Stream = .inherit, newProcessGroup: Bool = false) throws(ChildProcessError) {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let envp: [UnsafeMutablePointer<CChar>?]
        if let environment {
            envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        } else {
            envp = []
        }
        defer { for entry in envp { free(entry) } }
        var pid: pid_t = 0
        let status = argv.withUnsafeBufferPointer { argv in
            envp.withUnsafeBufferPointer { envp in
                oodsynth_spawn(&pid, executable, argv.baseAddress, environment == nil ? nil : envp.baseAddress,
                               directory, input.raw, output.raw, error.raw, newProcessGroup ? 1 : 0)
            }
        }
        guard status == 0 else {
            throw .cannotStart(executable: executable, reason: String(cString: strerror(status)))
        }
        self.pid = pid
    }

    /// How the child ended, or nil while it runs; reaps it once it has ended.
    public var termination: Termination? {
        ended.withLock { ended in
            if let ended { return ended }
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, WNOHANG) } while result < 0 && errno == EINTR
            guard result == pid else { return nil }
            // WIFSIGNALED/WEXITSTATUS are macros Swift does not import: the low 7 bits are the signal.
            let signal = status & 0x7f
            ended = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
            return ended
        }
    }

    public var isRunning: Bool { termination == nil }

    /// Waits until the child ends. waitid with WNOWAIT sleeps until it can be reaped without reaping
    /// it, so that `termination` reaps it under the lock, whichever thread asks first.
    @discardableResult
    public func wait() -> Termination {
        while true {
            if let termination { return termination }
            var info = siginfo_t()
            let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
            if result < 0 && errno != EINTR {
                // ECHILD: reaped by someone else (a SIGCHLD set to SIG_IGN); nothing to wait for.
                return termination ?? .exited(-1)
            }
        }
    }

    /// Waits at most `seconds`; nil when the child still runs.
    public func wait(seconds: Double) -> Termination? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while true {
            if let termination { return termination }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// Sends `signal` to the child, or to its whole process group (see `newProcessGroup`); nothing once
    /// it has been reaped, when its pid may be another process's.
    public func signal(_ signal: Int32, group: Bool = false) {
        ended.withLock { ended in
            guard ended == nil else { return }
            if group && kill(-pid, signal) == 0 { return }
            kill(pid, signal)
        }
    }
}
