import Foundation
import Workers

/// A Python server a test talks to over real HTTP: started with the venv's `python3`, it prints its
/// base URL as its first stdout line (it binds port 0, so tests never collide on a port).
public final class PeerServer: @unchecked Sendable {
    public let process: ChildProcess
    public let url: String
    /// Its stdout, open as long as it runs: a write to a pipe nobody can read kills it (SIGPIPE).
    private let out = Pipe()

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `python3 ARGUMENTS...`; waits for the URL line, which must start with `http://127.0.0.1:`.
    public init(_ arguments: [String]) throws {
        process = try ChildProcess("/usr/bin/env", ["python3"] + arguments, environment: Venv.environment,
                                   output: .descriptor(out.fileHandleForWriting.fileDescriptor), error: .null)
        try out.fileHandleForWriting.close()
        let text = Self.firstLine(of: out.fileHandleForReading)
        guard text.hasPrefix("http://127.0.0.1:") else {
            process.signal(SIGKILL)
            process.wait()
            throw Failure(description: "the server did not say where it listens: \(text)")
        }
        url = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What a child wrote up to its first newline (or its end); the rest of its output is dropped.
    public static func firstLine(of handle: FileHandle) -> String {
        var text = ""
        while !text.contains("\n") {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }

    /// SIGKILL: the server keeps nothing.
    public func stop() {
        process.signal(SIGKILL)
        process.wait()
    }

    /// A port nothing listens on (bound and released at once): where a test expects "unreachable".
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
