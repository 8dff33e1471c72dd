import OODCore

/// The end-of-run account of `filter`: samples kept, rejected by reason, skipped by reason.
public struct FilterSummary: Sendable, CustomStringConvertible {
    public var read = 0
    public var kept = 0
    public var rejected = SkipTally()
    public var skipped = SkipTally()
    /// Per reason, the samples that fail that test whatever the others say (a sample fails several).
    public var failedAlone = SkipTally()
    public var seconds = 0.0

    public var description: String {
        "filter: kept \(kept) of \(read); rejected \(rejected.total)" + (rejected.total > 0 ? " (\(rejected.summary))" : "")
            + "; skipped \(skipped.total)" + (skipped.total > 0 ? " (\(skipped.summary))" : "") + String(format: ", %.1f s", seconds)
    }
}
