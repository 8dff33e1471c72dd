import Foundation
import OODCore

/// Splits a sample stream into `DIR/PREFIX-NNNNNN.tar` shards of at most `maxCount` samples and (when
/// set) `maxBytes` bytes; a sample never spans two shards (one larger than `maxBytes` gets a shard of
/// its own). Each shard is written as `.PREFIX-NNNNNN.tar.partial` and renamed when complete, then
/// `PREFIX-NNNNNN_stats.json` is written atomically to mark it done; `finish(header:)` writes
/// `manifest.json` last. The `__stream__` header never goes into a shard; it goes to the manifest.
///
/// Shard boundaries depend only on the samples and the limits, so a resumed run (later) can skip the
/// shards whose stats files exist and continue at `firstShardIndex` with the remaining samples.
///
/// A non-empty directory is refused unless `overwrite`; then only files this writer would create
/// (`PREFIX-NNNNNN.tar`, `PREFIX-NNNNNN_stats.json`, their `.partial` temporaries and `manifest.json`)
/// are removed. Anything else in the directory is left alone: we never delete files we did not write.
public final class ShardWriter {
    public let directory: String
    public let prefix: String
    public let maxCount: Int
    public let maxBytes: Int?
    /// Shards finished so far, in order.
    public private(set) var shards: [ShardStats] = []
    /// The header seen as a `__stream__` sample, if one was written; `finish(header: nil)` uses it.
    public private(set) var header: StreamHeader?

    private var current: (index: Int, fd: Int32, tar: TarWriter, count: Int)?
    private var nextIndex: Int
    private var isFinished = false
    /// Set when a write failed part-way through a sample: the open shard may hold half a sample, so
    /// it must never be completed (it stays `.partial`).
    private var failure: ShardError?

    public init(directory: String, prefix: String = "shard", maxCount: Int = 10_000, maxBytes: Int? = nil,
                overwrite: Bool = false, firstShardIndex: Int = 0) throws(ShardError) {
        guard maxCount > 0 else { throw .badOption("maxCount must be positive, got \(maxCount)") }
        if let maxBytes, maxBytes <= 0 { throw .badOption("maxBytes must be positive, got \(maxBytes)") }
        guard !prefix.isEmpty, !prefix.contains("/"), !prefix.hasPrefix(".") else {
            throw .badOption("prefix \"\(prefix)\" must be a plain file name prefix")
        }
        self.directory = directory
        self.prefix = prefix
        self.maxCount = maxCount
        self.maxBytes = maxBytes
        nextIndex = firstShardIndex
        try prepareDirectory(overwrite: overwrite)
    }

    deinit {
        // An unfinished shard stays under its .partial name, so it is never mistaken for a complete one.
        // Drop the tar writer (which flushes) before closing its descriptor, so it never writes to a
        // closed or reused descriptor number.
        if let fd = current?.fd {
            current = nil
            close(fd)
        }
    }

    public func shardName(_ index: Int) -> String { "\(prefix)-\(Self.sixDigits(index)).tar" }
    public func statsName(_ index: Int) -> String { "\(prefix)-\(Self.sixDigits(index))_stats.json" }

    public func write(_ sample: Sample) throws(ShardError) {
        guard !isFinished else { throw .finished(directory: directory) }
        if let failure { throw failure }
        if sample.isStreamHeader {
            do throws(StreamError) { header = try StreamHeader(sample: sample) } catch {
                throw .badHeader(path: directory, reason: error.description)
            }
            return
        }
        do throws(ArchiveError) { try SampleWriter.validate(sample, destination: directory) } catch { throw .archive(error) }
        do throws(ShardError) { try append(sample) } catch {
            failure = error
            throw error
        }
    }

    /// Writes a validated sample; any failure here leaves the writer unusable (see `failure`).
    private func append(_ sample: Sample) throws(ShardError) {
        let size = sample.fields.reduce(0) { $0 + Self.memberSize(key: sample.key, field: $1) }
        if let shard = current {
            let full = shard.count >= maxCount
                || (maxBytes.map { shard.tar.bytesWritten + size + TarWriter.trailerSize > $0 } ?? false)
            if full { try closeShard() }
        }
        if current == nil { try openShard() }
        guard let shard = current else { return }
        for field in sample.fields {
            do throws(ArchiveError) {
                try shard.tar.write(name: MemberName.join(key: sample.key, ext: field.ext), bytes: field.bytes)
            } catch { throw .archive(error) }
        }
        current?.count += 1
    }

    /// Completes the last shard and writes `manifest.json` with `header` (or the `__stream__` sample seen).
    @discardableResult
    public func finish(header: StreamHeader? = nil) throws(ShardError) -> ShardManifest {
        guard !isFinished else { throw .finished(directory: directory) }
        if let failure { throw failure }
        isFinished = true
        if current != nil {
            do throws(ShardError) { try closeShard() } catch {
                failure = error
                throw error
            }
        }
        let manifest = ShardManifest(header: header ?? self.header, shards: shards)
        let bytes: [UInt8]
        do { bytes = try CanonicalJSON.encode(manifest, pretty: true) + [0x0A] } catch {
            throw .io(path: path(ShardManifest.fileName), reason: "cannot encode the manifest: \(error)")
        }
        try writeAtomically(bytes, to: ShardManifest.fileName)
        return manifest
    }

    // MARK: - Shards

    private func openShard() throws(ShardError) {
        let index = nextIndex
        let temporary = path(".\(shardName(index)).partial")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: temporary, reason: String(cString: strerror(errno))) }
        do throws(ArchiveError) {
            current = (index, fd, try TarWriter(fileDescriptor: fd, name: temporary, computeSHA256: true), 0)
        } catch {
            close(fd)
            throw .archive(error)
        }
        nextIndex += 1
    }

    private func closeShard() throws(ShardError) {
        guard let shard = current else { return }
        current = nil
        let temporary = path(".\(shardName(shard.index)).partial")
        do throws(ArchiveError) { try shard.tar.finish() } catch {
            close(shard.fd)
            throw .archive(error)
        }
        // fsync before rename: after a crash, a shard under its final name must hold all its bytes.
        let synced = fsync(shard.fd) == 0
        let syncError = errno
        close(shard.fd)
        guard synced else { throw .io(path: temporary, reason: "fsync failed: \(String(cString: strerror(syncError)))") }
        try rename(temporary, to: shardName(shard.index))
        let stats = ShardStats(name: shardName(shard.index), count: shard.count, bytes: shard.tar.bytesWritten,
                               sha256: SHA256.hex(shard.tar.sha256 ?? []))
        let bytes: [UInt8]
        do { bytes = try CanonicalJSON.encode(stats) + [0x0A] } catch {
            throw .io(path: path(statsName(shard.index)), reason: "cannot encode shard stats: \(error)")
        }
        try writeAtomically(bytes, to: statsName(shard.index))
        shards.append(stats)
    }

    /// Bytes a field adds to a shard: one ustar header plus padded data, plus a pax header for long names.
    private static func memberSize(key: String, field: (ext: String, bytes: [UInt8])) -> Int {
        let nameLength = key.utf8.count + 1 + field.ext.utf8.count
        return TarWriter.memberSize(dataCount: field.bytes.count) + (nameLength > 100 ? 1024 + nameLength : 0)
    }

    // MARK: - Files

    private func prepareDirectory(overwrite: Bool) throws(ShardError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, reason: "cannot create the output directory: \(error.localizedDescription)")
        }
        let names: [String]
        do { names = try manager.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw .io(path: directory, reason: "cannot list the output directory: \(error.localizedDescription)")
        }
        guard let first = names.first else { return }
        guard overwrite else { throw .directoryNotEmpty(path: directory, example: first) }
        for name in names where isOwnFile(name) {
            if unlink(path(name)) != 0 && errno != ENOENT {
                throw .io(path: path(name), reason: "cannot remove: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Whether `name` is a file this writer creates (see the type documentation).
    func isOwnFile(_ name: String) -> Bool {
        if name == ShardManifest.fileName || name == ".\(ShardManifest.fileName).partial" { return true }
        var base = Substring(name)
        if base.hasPrefix("."), base.hasSuffix(".partial") { base = base.dropFirst().dropLast(".partial".count) }
        guard base.hasPrefix(prefix + "-") else { return false }
        let rest = base.dropFirst(prefix.count + 1)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard digits.count >= 6 else { return false }
        let suffix = rest.dropFirst(digits.count)
        return suffix == ".tar" || suffix == "_stats.json"
    }

    private func writeAtomically(_ bytes: [UInt8], to name: String) throws(ShardError) {
        let temporary = path(".\(name).partial")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: temporary, reason: String(cString: strerror(errno))) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .io(path: temporary, reason: "write failed: \(reason)")
            }
            offset += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else { throw .io(path: temporary, reason: "fsync failed") }
        try rename(temporary, to: name)
    }

    private func rename(_ from: String, to name: String) throws(ShardError) {
        guard Foundation.rename(from, path(name)) == 0 else {
            throw .io(path: path(name), reason: "cannot rename \(from) into place: \(String(cString: strerror(errno)))")
        }
    }

    private func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func sixDigits(_ index: Int) -> String {
        let digits = String(index)
        return digits.count >= 6 ? digits : String(repeating: "0", count: 6 - digits.count) + digits
    }
}
