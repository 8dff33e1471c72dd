import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sequential reader for anything libarchive knows (tar, tar.gz/tgz, zip, ...) from a path or a file
/// descriptor such as stdin. Call `next()` for each entry, then optionally `readData(limit:)`; data not
/// read is skipped. A damaged or truncated archive is reported only after every complete entry.
public final class ArchiveReader {
    /// Name used in error messages (the path, or e.g. "stdin").
    public let source: String
    /// When true, a tar that ends without its end-of-archive blocks counts as truncated. Streams between
    /// stages need this: a writer killed exactly at a member boundary otherwise looks like a clean end.
    public let requireEndMarker: Bool

    private var archive: OpaquePointer?
    private var entry: ArchiveEntry?
    private var dataConsumed = false
    private var lastComplete: String?
    private var finished = false
    /// The first failure; reported again by later calls instead of a false clean end.
    private var failure: ArchiveError?

    /// Opens the file at `path`. `blockSize` is how much is read per system call.
    public init(path: String, requireEndMarker: Bool = false, blockSize: Int = 1 << 20) throws(ArchiveError) {
        source = path
        self.requireEndMarker = requireEndMarker
        archive = try Self.makeArchive(source: path)
        if archive_read_open_filename(archive, path, blockSize) != ARCHIVE_OK {
            throw .cannotOpen(source: path, reason: Self.message(archive))
        }
    }

    /// Reads from an open descriptor (not closed by the reader), e.g. `STDIN_FILENO`.
    public init(fileDescriptor: Int32, name: String = "stdin", requireEndMarker: Bool = false,
                blockSize: Int = 1 << 20) throws(ArchiveError) {
        source = name
        self.requireEndMarker = requireEndMarker
        archive = try Self.makeArchive(source: name)
        if archive_read_open_fd(archive, fileDescriptor, blockSize) != ARCHIVE_OK {
            throw .cannotOpen(source: name, reason: Self.message(archive))
        }
    }

    deinit {
        if let archive { archive_read_free(archive) }
    }

    /// The next entry, or `nil` at the end of the archive.
    public func next() throws(ArchiveError) -> ArchiveEntry? {
        if let failure { throw failure }
        guard !finished, let archive else { return nil }
        if let entry {
            // Consume what is left of the previous entry so a truncation inside it is reported here,
            // and so the position below is the end of that entry (used to detect a missing end marker).
            if !dataConsumed && archive_read_data_skip(archive) != ARCHIVE_OK {
                throw fail(entry: entry.path)
            }
            lastComplete = entry.path
            self.entry = nil
        }
        let positionBefore = archive_filter_bytes(archive, 0)
        var header: OpaquePointer?
        let status = archive_read_next_header(archive, &header)
        if status == ARCHIVE_EOF {
            finished = true
            if requireEndMarker && isTarLike(archive) && archive_filter_bytes(archive, 0) == positionBefore {
                failure = .truncated(source: source, afterEntry: lastComplete)
                throw .truncated(source: source, afterEntry: lastComplete)
            }
            return nil
        }
        // Warnings (e.g. an odd charset) still give a usable header; anything worse stops the read.
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let header else {
            throw fail(entry: nil)
        }
        let next = Self.describe(header)
        entry = next
        dataConsumed = false
        return next
    }

    /// The current entry's bytes (empty on a second call). Refuses members larger than `limit` before
    /// reading any of them.
    public func readData(limit: Int = 1 << 30) throws(ArchiveError) -> [UInt8] {
        if let failure { throw failure }
        guard let archive, let entry else { throw .noCurrentEntry(source: source) }
        guard entry.size <= limit else {
            throw .memberTooLarge(source: source, entry: entry.path, size: entry.size, limit: limit)
        }
        guard !dataConsumed else { return [] }
        dataConsumed = true
        guard entry.size > 0 || entry.kind == .file else { return [] }
        var failed = false
        var filled = 0
        // Zip entries may not know their size up front (streamed zips); those grow below.
        var bytes = [UInt8](unsafeUninitializedCapacity: max(entry.size, 0)) { buffer, count in
            while filled < buffer.count {
                let n = archive_read_data(archive, buffer.baseAddress! + filled, buffer.count - filled)
                if n < 0 { failed = true; break }
                if n == 0 { break }
                filled += n
            }
            count = filled
        }
        if failed { throw fail(entry: entry.path) }
        if filled < entry.size { throw .truncated(source: source, afterEntry: lastComplete) }
        // Read past the declared size: catches entries whose size was unknown (streamed zips). A small
        // probe keeps the common case (nothing more) free of a large allocation.
        var probe: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        while true {
            let n = withUnsafeMutableBytes(of: &probe) { archive_read_data(archive, $0.baseAddress, $0.count) }
            if n < 0 { throw fail(entry: entry.path) }
            if n == 0 { break }
            guard bytes.count + n <= limit else {
                throw .memberTooLarge(source: source, entry: entry.path, size: bytes.count + n, limit: limit)
            }
            withUnsafeBytes(of: &probe) { bytes.append(contentsOf: $0.prefix(n)) }
        }
        return bytes
    }

    /// Skips the current entry's data (also done implicitly by `next()`).
    public func skipData() throws(ArchiveError) {
        if let failure { throw failure }
        guard let archive, let entry else { throw .noCurrentEntry(source: source) }
        guard !dataConsumed else { return }
        dataConsumed = true
        if archive_read_data_skip(archive) != ARCHIVE_OK { throw fail(entry: entry.path) }
    }

    // MARK: - libarchive plumbing

    private static func makeArchive(source: String) throws(ArchiveError) -> OpaquePointer {
        guard let archive = archive_read_new() else {
            throw .cannotOpen(source: source, reason: "libarchive could not allocate a reader")
        }
        archive_read_support_filter_all(archive)
        archive_read_support_format_all(archive)
        // Lets an empty input read as an archive with no entries rather than "unrecognized format".
        archive_read_support_format_empty(archive)
        return archive
    }

    private func isTarLike(_ archive: OpaquePointer) -> Bool {
        let base = archive_format(archive) & ARCHIVE_FORMAT_BASE_MASK
        return base == ARCHIVE_FORMAT_TAR || base == ARCHIVE_FORMAT_EMPTY
    }

    /// Turns the archive's current error into a typed one, telling truncation apart from damage.
    private func fail(entry: String?) -> ArchiveError {
        finished = true
        let text = Self.message(archive)
        let error: ArchiveError
        if text.lowercased().contains("truncated") || text.contains("Premature end")
            || text.contains("unexpected end") || text.contains("Unexpected EOF") {
            error = .truncated(source: source, afterEntry: lastComplete)
        } else {
            error = .corrupt(source: source, entry: entry, reason: text)
        }
        failure = error
        return error
    }

    private static func message(_ archive: OpaquePointer?) -> String {
        if let archive, let text = archive_error_string(archive) { return String(cString: text) }
        return "unknown libarchive error"
    }

    private static func describe(_ header: OpaquePointer) -> ArchiveEntry {
        let path = string(archive_entry_pathname_utf8(header)) ?? string(archive_entry_pathname(header)) ?? ""
        let size = archive_entry_size_is_set(header) != 0 ? Int(archive_entry_size(header)) : 0
        if let hardlink = string(archive_entry_hardlink_utf8(header)) ?? string(archive_entry_hardlink(header)) {
            return ArchiveEntry(path: path, kind: .hardlink(target: hardlink), size: size)
        }
        let kind: ArchiveEntry.Kind
        switch archive_entry_filetype(header) {
        case FileType.regular: kind = .file
        case FileType.directory: kind = .directory
        case FileType.symlink:
            kind = .symlink(target: string(archive_entry_symlink_utf8(header))
                ?? string(archive_entry_symlink(header)) ?? "")
        default: kind = .other
        }
        return ArchiveEntry(path: path, kind: kind, size: kind == .file ? size : 0)
    }

    /// libarchive's AE_IF* constants are cast macros that Swift does not import.
    enum FileType {
        static let regular: mode_t = 0o100000
        static let directory: mode_t = 0o040000
        static let symlink: mode_t = 0o120000
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        // Member names are bytes; invalid UTF-8 is repaired rather than dropping the entry.
        pointer.map { String(cString: $0) }
    }
}
