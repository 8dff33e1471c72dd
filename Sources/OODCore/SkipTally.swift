/// Counts samples skipped per reason, for the end-of-stage summary.
public struct SkipTally: Sendable, Equatable {
    public private(set) var counts: [String: Int] = [:]

    public init() {}

    public mutating func add(_ reason: String, count: Int = 1) {
        guard count > 0 else { return }
        counts[reason, default: 0] += count
    }

    public var total: Int { counts.values.reduce(0, +) }

    /// `reason count, reason count` sorted by reason; "none" when nothing was skipped.
    public var summary: String {
        counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
