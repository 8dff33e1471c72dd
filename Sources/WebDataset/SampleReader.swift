import OODCore

/// Reads a WebDataset tar stream as samples: consecutive members `KEY.EXT` with the same key form one
/// sample (see `MemberName` for the split). Keys keep any directory prefix, exactly as webdataset
/// groups them; oodsynth's own keys never have one, and `SampleKey.isValid` rejects such keys where a
/// stage needs a plain key. Extensions are kept as written (webdataset lowercases them).
/// Members that are not regular files, or whose names have no key or extension, are skipped and counted.
///
/// Streams must end with the tar end-of-archive marker. A stream that stops early yields every sample
/// known to be complete (a sample is complete once the next sample's first member starts), then throws
/// `.archive(.truncated(...))`; the sample being read when the stream stopped is never returned.
public final class SampleReader {
    public let source: String
    /// The stream header, when the first sample is `__stream__`.
    public private(set) var header: StreamHeader?
    /// Members ignored because they are not regular files or have no `KEY.EXT` name.
    public private(set) var skippedMembers = 0
    public let maxMemberBytes: Int

    private let archive: ArchiveReader
    private var lookahead: (key: String, ext: String, bytes: [UInt8])?
    private var firstSample: Sample?
    private var pendingError: SampleStreamError?
    private var atEnd = false

    /// Reads the tar at `path`.
    public convenience init(path: String, maxMemberBytes: Int = 1 << 30) throws(SampleStreamError) {
        let archive: ArchiveReader
        do { archive = try ArchiveReader(path: path, requireEndMarker: true) } catch { throw .archive(error) }
        try self.init(archive: archive, maxMemberBytes: maxMemberBytes)
    }

    /// Reads from an open descriptor such as `STDIN_FILENO` (left open).
    public convenience init(fileDescriptor: Int32, name: String = "stdin", maxMemberBytes: Int = 1 << 30) throws(SampleStreamError) {
        let archive: ArchiveReader
        do {
            archive = try ArchiveReader(fileDescriptor: fileDescriptor, name: name, requireEndMarker: true)
        } catch { throw .archive(error) }
        try self.init(archive: archive, maxMemberBytes: maxMemberBytes)
    }

    /// Wraps an archive reader positioned at its start. Reads the first sample to find the header;
    /// a malformed `__stream__` header throws here, a stream error is deferred to `next()`.
    public init(archive: ArchiveReader, maxMemberBytes: Int = 1 << 30) throws(SampleStreamError) {
        self.archive = archive
        source = archive.source
        self.maxMemberBytes = maxMemberBytes
        do throws(SampleStreamError) {
            guard let first = try readSample() else { return }
            if first.isStreamHeader {
                do throws(StreamError) { header = try StreamHeader(sample: first) } catch { throw .header(source: source, error) }
            } else {
                firstSample = first
            }
        } catch {
            if case .header = error { throw error }
            pendingError = error
        }
    }

    /// The next sample, or `nil` at the clean end of the stream.
    public func next() throws(SampleStreamError) -> Sample? {
        if let first = firstSample {
            firstSample = nil
            return first
        }
        if let pendingError { throw pendingError }
        do {
            return try readSample()
        } catch {
            // Later calls keep reporting the same problem rather than inventing an end.
            pendingError = error
            throw error
        }
    }

    private func readSample() throws(SampleStreamError) -> Sample? {
        if atEnd && lookahead == nil { return nil }
        var sample: Sample
        if let first = lookahead {
            lookahead = nil
            sample = Sample(key: first.key, fields: [first.ext: first.bytes])
        } else if let first = try readMember() {
            sample = Sample(key: first.key, fields: [first.ext: first.bytes])
        } else {
            return nil
        }
        while let member = try readMember() {
            guard member.key == sample.key else {
                lookahead = member
                return sample
            }
            guard sample[member.ext] == nil else {
                throw .duplicateField(source: source, key: member.key, ext: member.ext)
            }
            sample[member.ext] = member.bytes
        }
        return sample
    }

    private func readMember() throws(SampleStreamError) -> (key: String, ext: String, bytes: [UInt8])? {
        do {
            while let entry = try archive.next() {
                guard entry.kind == .file, let (key, ext) = MemberName.split(entry.path) else {
                    skippedMembers += 1
                    continue
                }
                return (key, ext, try archive.readData(limit: maxMemberBytes))
            }
            atEnd = true
            return nil
        } catch {
            throw .archive(error)
        }
    }
}
