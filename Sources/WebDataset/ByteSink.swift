import OODCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A large output buffer in front of write(2): libarchive hands over many small pieces (512-byte
/// headers, member data, padding), which are gathered here and written in big chunks. Optionally
/// hashes exactly the bytes that reach the descriptor, so a file's SHA-256 needs no second read.
final class ByteSink {
    let fd: Int32
    let name: String
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    private(set) var bytesFlushed = 0
    var hasher: SHA256?
    /// The first failure; libarchive only sees -1, the typed error is kept here.
    var error: ArchiveError?
    /// When set, bytes are dropped: used so libarchive's end-of-archive blocks never reach an
    /// abandoned stream, which must read as truncated.
    var discarding = false

    init(fd: Int32, name: String, capacity: Int, hashing: Bool) {
        self.fd = fd
        self.name = name
        self.capacity = max(capacity, 4096)
        buffer = .allocate(byteCount: self.capacity, alignment: 16)
        hasher = hashing ? SHA256() : nil
    }

    deinit { buffer.deallocate() }

    var bytesWritten: Int { bytesFlushed + used }

    func append(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        if error != nil { return false }
        if discarding { return true }
        if used + count > capacity {
            guard flush() else { return false }
            // A large piece bypasses the buffer rather than being copied through it.
            if count >= capacity { return writeOut(bytes, count: count) }
        }
        buffer.advanced(by: used).copyMemory(from: bytes, byteCount: count)
        used += count
        return true
    }

    func flush() -> Bool {
        if error != nil { return false }
        guard used > 0, !discarding else { return true }
        let ok = writeOut(UnsafeRawPointer(buffer), count: used)
        used = 0
        return ok
    }

    private func writeOut(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        hasher?.update(UnsafeRawBufferPointer(start: bytes, count: count))
        var offset = 0
        while offset < count {
            let n = systemWrite(fd, bytes + offset, count - offset)
            if n < 0 {
                let code = errno
                if code == EINTR || code == EAGAIN {
                    // EAGAIN only happens on a non-blocking descriptor; wait until it drains.
                    if code == EAGAIN { var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0); _ = poll(&p, 1, -1) }
                    continue
                }
                error = code == EPIPE ? .brokenPipe(destination: name)
                    : .writeFailed(destination: name, reason: String(cString: strerror(code)))
                return false
            }
            // Short writes (pipes, signals) are normal: keep going from where it stopped.
            offset += n
        }
        bytesFlushed += count
        return true
    }
}

@inline(__always) private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
