/// Problems reading or writing an archive as a whole. Each case names the archive (or output) it is about.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    /// The archive could not be opened or its format was not recognized.
    case cannotOpen(source: String, reason: String)
    /// The archive ends early; every entry up to `afterEntry` was complete (`nil`: none was).
    case truncated(source: String, afterEntry: String?)
    /// The archive is damaged in a way other than ending early.
    case corrupt(source: String, entry: String?, reason: String)
    /// A member is larger than the caller allows to be read into memory.
    case memberTooLarge(source: String, entry: String, size: Int, limit: Int)
    /// `readData`/`skipData` was called with no current entry.
    case noCurrentEntry(source: String)
    /// Writing failed (disk full, bad descriptor, ...).
    case writeFailed(destination: String, reason: String)
    /// The reader of our output went away (EPIPE), e.g. `oodsynth ... | head`.
    case brokenPipe(destination: String)
    /// A member name or sample key cannot be written as asked.
    case invalidMember(destination: String, name: String, reason: String)
    /// The writer was used after `finish()`.
    case finished(destination: String)

    public var description: String {
        switch self {
        case .cannotOpen(let source, let reason): "\(source): cannot open archive: \(reason)"
        case .truncated(let source, let after):
            if let after { "\(source): archive is truncated after entry \"\(after)\"" }
            else { "\(source): archive is truncated before its first complete entry" }
        case .corrupt(let source, let entry, let reason):
            if let entry { "\(source): archive is damaged at entry \"\(entry)\": \(reason)" }
            else { "\(source): archive is damaged: \(reason)" }
        case .memberTooLarge(let source, let entry, let size, let limit):
            "\(source): member \"\(entry)\" is \(size) bytes, more than the limit of \(limit) bytes"
        case .noCurrentEntry(let source): "\(source): no current entry to read data from (call next() first)"
        case .writeFailed(let destination, let reason): "\(destination): write failed: \(reason)"
        case .brokenPipe(let destination): "\(destination): the reader closed the pipe (EPIPE)"
        case .invalidMember(let destination, let name, let reason):
            "\(destination): cannot write member \"\(name)\": \(reason)"
        case .finished(let destination): "\(destination): the writer is already finished"
        }
    }
}
