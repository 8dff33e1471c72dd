import OODCore

/// Writes samples as consecutive tar members `KEY.EXT`, fields in the sample's (sorted) order.
/// The `__stream__` header is an ordinary sample here: write it first.
public final class SampleWriter {
    public let tar: TarWriter
    public private(set) var samplesWritten = 0

    public init(tar: TarWriter) { self.tar = tar }

    /// Writes to an open descriptor such as `STDOUT_FILENO` (left open).
    public convenience init(fileDescriptor: Int32, name: String = "stdout") throws(ArchiveError) {
        self.init(tar: try TarWriter(fileDescriptor: fileDescriptor, name: name))
    }

    public convenience init(path: String) throws(ArchiveError) {
        self.init(tar: try TarWriter(path: path))
    }

    public func write(_ sample: Sample) throws(ArchiveError) {
        try Self.validate(sample, destination: tar.destination)
        for field in sample.fields {
            try tar.write(name: MemberName.join(key: sample.key, ext: field.ext), bytes: field.bytes)
        }
        samplesWritten += 1
    }

    /// Ends the stream (end-of-archive marker and flush).
    public func finish() throws(ArchiveError) { try tar.finish() }

    /// Refuses samples whose member names would not read back as the same key and fields.
    static func validate(_ sample: Sample, destination: String) throws(ArchiveError) {
        guard !sample.fields.isEmpty else {
            throw .invalidMember(destination: destination, name: sample.key, reason: "sample has no fields")
        }
        guard ArchivePath.isSafe(sample.key), !sample.key.utf8.contains(where: { $0 < 0x20 }) else {
            throw .invalidMember(destination: destination, name: sample.key, reason: "key is not a safe relative name")
        }
        for field in sample.fields {
            let name = MemberName.join(key: sample.key, ext: field.ext)
            guard let split = MemberName.split(name), split.key == sample.key, split.ext == field.ext,
                  !field.ext.utf8.contains(where: { $0 < 0x20 }) else {
                throw .invalidMember(destination: destination, name: name,
                                     reason: "key must be non-empty without dots and the extension non-empty without slashes")
            }
        }
    }
}
