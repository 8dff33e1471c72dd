import Foundation

/// A tar on standard input, copied to a temporary file: the class pre-scan and the decoding pass each
/// read the input once, and a pipe can be read only once.
struct StandardInputSpool {
    let path: String?

    init(needed: Bool) throws {
        guard needed else {
            path = nil
            return
        }
        let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(directory)/oodsynth-stdin-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            throw PipelineError.unreadableInput("<stdin>", reason: "cannot create a spool file in \(directory)")
        }
        defer { close(fd) }
        let spoolPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                unlink(spoolPath)
                throw PipelineError.unreadableInput("<stdin>", reason: String(cString: strerror(errno)))
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    unlink(spoolPath)
                    throw PipelineError.unreadableInput("<stdin>", reason: "spooling to \(spoolPath): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        path = spoolPath
    }

    func remove() {
        if let path { unlink(path) }
    }
}
