import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an uncompressed tar stream through libarchive (ustar; a pax header only for names or sizes
/// ustar cannot hold). Every header field that could vary is fixed (mtime 0, uid/gid 0, empty
/// uname/gname, mode 0644, regular files), so identical input gives byte-identical output.
///
/// If the writer is dropped without `finish()`, every complete member is flushed but no
/// end-of-archive blocks are written, so readers see a truncated stream instead of a short valid one.
/// Writing to a closed pipe raises `.brokenPipe` only if the process ignores SIGPIPE (the CLI does).
public final class TarWriter {
    /// Name used in error messages (the path, or e.g. "stdout").
    public let destination: String
    private let sink: ByteSink
    private var archive: OpaquePointer?
    private let entry: OpaquePointer
    private let ownedFD: Int32?
    private var isFinished = false
    /// SHA-256 of everything written, available after `finish()` when asked for at init.
    public private(set) var sha256: [UInt8]?

    /// Writes to an open descriptor, which stays open. `computeSHA256` hashes the output as it goes.
    public convenience init(fileDescriptor: Int32, name: String = "stdout", computeSHA256: Bool = false,
                bufferSize: Int = 1 << 20) throws(ArchiveError) {
        try self.init(fd: fileDescriptor, owned: false, name: name, hashing: computeSHA256, bufferSize: bufferSize)
    }

    /// Creates (or truncates) the file at `path`; it is closed by `finish()`.
    public convenience init(path: String, computeSHA256: Bool = false, bufferSize: Int = 1 << 20) throws(ArchiveError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .writeFailed(destination: path, reason: String(cString: strerror(errno)))
        }
        try self.init(fd: fd, owned: true, name: path, hashing: computeSHA256, bufferSize: bufferSize)
    }

    private init(fd: Int32, owned: Bool, name: String, hashing: Bool, bufferSize: Int) throws(ArchiveError) {
        destination = name
        ownedFD = owned ? fd : nil
        sink = ByteSink(fd: fd, name: name, capacity: bufferSize, hashing: hashing)
        guard let archive = archive_write_new(), let entry = archive_entry_new() else {
            if owned { close(fd) }
            throw .writeFailed(destination: name, reason: "libarchive could not allocate a writer")
        }
        self.archive = archive
        self.entry = entry
        archive_write_set_format_pax_restricted(archive)
        // libarchive converts names from the locale's charset, which is ASCII in the C locale Swift
        // programs run in: non-ASCII names would get `hdrcharset=BINARY` records that GNU tar warns
        // about. Building the pax writer's UTF-8 converter under a UTF-8 locale makes it take names
        // as UTF-8, so they are written as standard pax `path` records, as Python's tarfile does.
        if let utf8 = Self.utf8Locale {
            let previous = uselocale(utf8)
            archive_write_set_format_option(archive, "pax", "hdrcharset", "UTF-8")
            uselocale(previous)
        }
        // No libarchive-side blocking: every byte goes straight to the sink, so complete members are
        // never stuck in a libarchive buffer, and the sink's own buffer does the batching.
        archive_write_set_bytes_per_block(archive, 0)
        let status = archive_write_open2(archive, Unmanaged.passUnretained(sink).toOpaque(), nil,
            { _, client, buffer, length in
                guard let client, let buffer else { return -1 }
                let sink = Unmanaged<ByteSink>.fromOpaque(client).takeUnretainedValue()
                return sink.append(buffer, count: length) ? length : -1
            },
            { _, client in
                guard let client else { return ARCHIVE_FATAL }
                return Unmanaged<ByteSink>.fromOpaque(client).takeUnretainedValue().flush() ? ARCHIVE_OK : ARCHIVE_FATAL
            },
            nil)
        if status != ARCHIVE_OK {
            let reason = archive_error_string(archive).map { String(cString: $0) } ?? "cannot open the tar writer"
            archive_write_free(archive)
            archive_entry_free(entry)
            self.archive = nil
            if owned { close(fd) }
            throw .writeFailed(destination: name, reason: reason)
        }
    }

    deinit {
        if let archive {
            if !isFinished {
                // Emit the complete members, then drop libarchive's end-of-archive blocks (see type doc).
                _ = sink.flush()
                sink.discarding = true
            }
            archive_write_free(archive)
        }
        archive_entry_free(entry)
        if let ownedFD, !isFinished { close(ownedFD) }
    }

    /// Bytes written so far (buffered included); after `finish()` this is the size of the output.
    public var bytesWritten: Int { sink.bytesWritten }

    public func write(name: String, bytes: [UInt8]) throws(ArchiveError) {
        // Array.withUnsafeBytes rethrows untyped errors, so the typed error is carried out by hand.
        var failure: ArchiveError?
        bytes.withUnsafeBytes { buffer in
            do throws(ArchiveError) { try write(name: name, contents: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Appends one regular-file member.
    public func write(name: String, contents: UnsafeRawBufferPointer) throws(ArchiveError) {
        guard let archive, !isFinished else { throw .finished(destination: destination) }
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw .invalidMember(destination: destination, name: name, reason: "empty name or NUL byte")
        }
        archive_entry_clear(entry)
        // Names are passed as raw UTF-8 bytes; see `init` for how non-ASCII names become pax `path` records.
        archive_entry_copy_pathname(entry, name)
        archive_entry_set_filetype(entry, ArchiveReader.FileType.regular)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_size(entry, Int64(contents.count))
        archive_entry_set_mtime(entry, 0, 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        guard archive_write_header(archive, entry) >= ARCHIVE_WARN else { throw failure(name) }
        if contents.count > 0 {
            let written = archive_write_data(archive, contents.baseAddress, contents.count)
            guard written == contents.count else { throw failure(name) }
        }
        guard archive_write_finish_entry(archive) >= ARCHIVE_WARN else { throw failure(name) }
    }

    /// Writes the end-of-archive blocks, flushes, and closes the file if this writer opened it.
    public func finish() throws(ArchiveError) {
        guard let archive, !isFinished else { throw .finished(destination: destination) }
        isFinished = true
        let status = archive_write_close(archive)
        if let ownedFD { close(ownedFD) }
        if let error = sink.error { throw error }
        guard status == ARCHIVE_OK else { throw failure(nil) }
        sha256 = sink.hasher.map { Array($0.finalize()) }
    }

    /// Size a member takes in the stream when its name fits a ustar header (the common case).
    public static func memberSize(dataCount: Int) -> Int {
        512 + (dataCount + 511) / 512 * 512
    }

    /// Size of the end-of-archive marker written by `finish()`.
    public static let trailerSize = 1024

    nonisolated(unsafe) private static let utf8Locale: locale_t? = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)

    private func failure(_ name: String?) -> ArchiveError {
        if let error = sink.error { return error }
        let reason = archive.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? "libarchive error"
        if let name { return .invalidMember(destination: destination, name: name, reason: reason) }
        return .writeFailed(destination: destination, reason: reason)
    }
}
