import CSpawn
import Foundation

/// A child process that speaks JSON Lines: we write request lines to its stdin and read answer lines
/// from its stdout; its stderr is ours, so its logs reach the user as they happen. `generate` and
/// `embed` both run their `worker:CMD` backends through it.
///
/// stdin is one end of a Unix socket pair rather than a pipe: writing to a pipe whose reader died
/// raises SIGPIPE, which kills oodsynth (it keeps SIGPIPE's default so that `oodsynth ... | head`
/// ends quietly), while `send` with MSG_NOSIGNAL just reports the error. stdout is read by a thread
/// of its own into a queue of lines.
///
/// A worker must not outlive oodsynth, even a SIGKILLed one that cleans nothing up: its stdin then
/// ends, but a worker busy loading a model or on a long batch would not notice for minutes. So on
/// Linux the command runs under `setpriv --pdeathsig KILL`, which makes the kernel kill `sh` (and
/// CMD, which `sh -c` execs in place or which sets its own death signal, as our Python workers do)
/// when oodsynth dies. See `SpawnThread` for why every worker is started from one thread.
public final class WorkerProcess: @unchecked Sendable {
    public enum Line: Equatable, Sendable {
        case line(String)
        case ended
        case timedOut
    }

    public let command: String
    private let child: ChildProcess
    private let socket: Int32
    private let condition = NSCondition()
    private var lines: [String] = []
    private var ended = false

    public init(command: String) throws(WorkerProcessError) {
        self.command = command
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw .cannotStart(command: command, reason: "socketpair failed (errno \(errno))")
        }
        var output: [Int32] = [-1, -1]
        guard oodsynth_pipe(&output) == 0 else {
            close(fds[0])
            close(fds[1])
            throw .cannotStart(command: command, reason: "pipe failed (errno \(errno))")
        }
        socket = fds[0]
        let (executable, arguments) = Self.launcher(for: command)
        // Its own process group, so that `signalGroup` reaches CMD as well as sh.
        let started = SpawnThread.shared.run {
            Result { () throws(ChildProcessError) in
                try ChildProcess(executable, arguments, input: .descriptor(fds[1]), output: .descriptor(output[1]),
                                 error: .inherit, newProcessGroup: true)
            }
        }
        // The child has its ends; ours must go, or it would never see EOF on stdin, nor we on stdout.
        close(fds[1])
        close(output[1])
        switch started {
        case .success(let child): self.child = child
        case .failure(.cannotStart(let executable, let reason)):
            close(fds[0])
            close(output[0])
            throw .cannotStart(command: command, reason: "\(executable): \(reason)")
        }
        let descriptor = output[0]
        let thread = Thread { [self] in
            readLines(from: descriptor)
            close(descriptor)
        }
        thread.name = "oodsynth-worker-reader"
        thread.start()
    }

    /// `sh -c CMD`, under setpriv's parent-death signal where util-linux has it (every Debian).
    static func launcher(for command: String) -> (String, [String]) {
        let setpriv = "/usr/bin/setpriv"
        #if os(Linux)
        if FileManager.default.isExecutableFile(atPath: setpriv) {
            return (setpriv, ["--pdeathsig", "KILL", "--", "/bin/sh", "-c", command])
        }
        #endif
        return ("/bin/sh", ["-c", command])
    }

    deinit {
        close(socket)
    }

    /// Writes one line; false when the worker is gone.
    public func send(_ line: String) -> Bool {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Foundation.send(socket, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// The next line from the worker's stdout, waiting at most `timeout` seconds.
    public func readLine(timeout: Double) -> Line {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while lines.isEmpty && !ended {
            if !condition.wait(until: deadline) { return lines.isEmpty && !ended ? .timedOut : next() }
        }
        return next()
    }

    private func next() -> Line {
        lines.isEmpty ? .ended : .line(lines.removeFirst())
    }

    /// Ends the worker: EOF on its stdin first (a well-behaved worker exits), then SIGTERM, then SIGKILL.
    public func stop(grace: Double = 2) {
        shutdown(socket, Int32(SHUT_WR))
        if wait(grace) { return }
        signalGroup(SIGTERM)
        if wait(grace) { return }
        kill()
    }

    /// Kills the worker at once (it stopped answering).
    public func kill() {
        signalGroup(SIGKILL)
        child.wait()
    }

    /// Signals the worker's whole process group, not just `sh`: CMD may run as sh's child, and
    /// killing sh alone would leave it running (and holding our pipe).
    private func signalGroup(_ signal: Int32) {
        child.signal(signal, group: true)
    }

    /// How the process ended, once it has: "exited with status 1", "was killed by signal 9".
    public var exitDescription: String {
        child.wait(seconds: 2)?.description ?? "is still running"
    }

    private func wait(_ seconds: Double) -> Bool {
        child.wait(seconds: seconds) != nil
    }

    private func readLines(from descriptor: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: chunk[0..<count])
            var complete: [String] = []
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                complete.append(String(decoding: pending[start..<newline], as: UTF8.self))
                start = newline + 1
            }
            if start > 0 { pending.removeFirst(start) }
            if !complete.isEmpty {
                condition.lock()
                lines += complete
                condition.broadcast()
                condition.unlock()
            }
        }
        condition.lock()
        if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
        ended = true
        condition.broadcast()
        condition.unlock()
    }
}
