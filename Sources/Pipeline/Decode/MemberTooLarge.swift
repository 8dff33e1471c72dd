/// A member larger than the per-file limit: skipped, never read whole into memory.
struct MemberTooLarge: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "larger than the per-file limit of \(limit) bytes" }
}
