/// One member of an archive as `ArchiveReader.next()` reports it; the bytes come from `readData(limit:)`.
public struct ArchiveEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        case symlink(target: String)
        case hardlink(target: String)
        /// Devices, FIFOs, sockets: never read as data.
        case other
    }

    /// The member path exactly as stored (not normalized; check it with `ArchivePath.isSafe`).
    public var path: String
    public var kind: Kind
    /// Declared size of the data in bytes (0 for non-files).
    public var size: Int

    public init(path: String, kind: Kind, size: Int) {
        self.path = path
        self.kind = kind
        self.size = size
    }

    /// Whether extracting this entry stays inside the extraction root (path and, for links, target).
    public var isSafe: Bool {
        guard ArchivePath.isSafe(path) else { return false }
        switch kind {
        case .symlink(let target): return !ArchivePath.symlinkEscapes(entryPath: path, target: target)
        // Hardlink targets are archive member paths, so they are checked like paths.
        case .hardlink(let target): return ArchivePath.isSafe(target)
        default: return true
        }
    }
}
