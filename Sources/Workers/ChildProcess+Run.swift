import CSpawn
import Foundation

extension ChildProcess {
    /// What a finished child wrote, and how it ended.
    public struct Output: Sendable {
        public var termination: Termination
        public var stdout: Data
        /// Empty unless stderr was captured.
        public var stderr: Data

        /// The exit status, or 128 + the signal.
        public var status: Int32 { termination.status }
    }

    /// Where a child's stderr goes in `run`.
    public enum ErrorOutput: Sendable {
        case capture
        case inherit
        case discard
    }

    /// Runs a child to its end: `input` (or /dev/null) on its stdin, its stdout (and stderr, when
    /// captured) read as they come, so that neither side blocks on a full pipe.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: String? = nil, input: Data? = nil,
                           stderr: ErrorOutput = .capture) throws(ChildProcessError) -> Output {
        var open = Set<Int32>()
        defer { for descriptor in open { close(descriptor) } }
        func release(_ descriptor: Int32) {
            if open.remove(descriptor) != nil { close(descriptor) }
        }
        func pair(socket: Bool) throws(ChildProcessError) -> (read: Int32, write: Int32) {
            var ends: [Int32] = [-1, -1]
            // stdin is a socket pair, not a pipe: `send` with MSG_NOSIGNAL reports a child that stopped
            // reading as EPIPE, where a write to a pipe would raise SIGPIPE in this process.
            let made = socket ? socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends)
                              : oodsynth_pipe(&ends)
            guard made == 0 else {
                throw .cannotStart(executable: executable, reason: "cannot make a pipe: \(String(cString: strerror(errno)))")
            }
            open.formUnion(ends)
            return socket ? (ends[1], ends[0]) : (ends[0], ends[1])
        }
        let out = try pair(socket: false)
        let err = stderr == .capture ? try pair(socket: false) : nil
        let into = input == nil ? nil : try pair(socket: true)
        let child = try ChildProcess(
            executable, arguments, environment: environment, directory: directory,
            input: into.map { .descriptor($0.read) } ?? .null, output: .descriptor(out.write),
            error: err.map { .descriptor($0.write) } ?? (stderr == .inherit ? .inherit : .null))
        // The child has its ends; ours must go, or the reads below would never see end-of-file.
        for end in [out.write, err?.write, into?.read].compactMap({ $0 }) { release(end) }
        var output = Data(), errors = Data()
        var streams: [(descriptor: Int32, isOutput: Bool)] = [(out.read, true)]
        if let err { streams.append((err.read, false)) }
        let pending = input ?? Data()
        var sent = 0
        var writer = into?.write ?? -1
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while !streams.isEmpty || writer >= 0 {
            var polled = streams.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            if writer >= 0 { polled.append(pollfd(fd: writer, events: Int16(POLLOUT), revents: 0)) }
            let ready = Glibc.poll(&polled, nfds_t(polled.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in polled where entry.revents != 0 {
                if entry.fd == writer {
                    let written = sent == pending.count ? 0 : pending.withUnsafeBytes {
                        send(writer, $0.baseAddress.map { $0 + sent }, $0.count - sent, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                    }
                    if written > 0 { sent += written }
                    // All written, or the child stopped reading (EPIPE): its stdin ends here.
                    if sent == pending.count || (written < 0 && errno != EAGAIN && errno != EINTR) {
                        release(writer)
                        writer = -1
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { Glibc.read(entry.fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard let index = streams.firstIndex(where: { $0.descriptor == entry.fd }) else { continue }
                if count <= 0 {
                    streams.remove(at: index)
                } else if streams[index].isOutput {
                    output.append(contentsOf: buffer[0..<count])
                } else {
                    errors.append(contentsOf: buffer[0..<count])
                }
            }
        }
        return Output(termination: child.wait(), stdout: output, stderr: errors)
    }
}
