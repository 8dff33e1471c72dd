import Foundation
import OODCore

/// The end-of-run account of `caption`.
public struct CaptionSummary: Sendable, CustomStringConvertible {
    public var gaps = 0
    public var captions = 0
    public var pool = 0
    public var inventoryNouns = 0
    /// Chosen captions nearer to their gap than to any ID class prompt.
    public var nearerToGap = 0
    public var skipped = SkipTally()
    /// Gaps that got fewer than `perGap` captions (only with LLM concepts alone, whose captions must
    /// be nearer their gap than any ID class).
    public var short = 0
    public var llm: LLMConceptTally?
    public var seconds = 0.0

    public var description: String {
        let share = captions > 0 ? 100 * Double(nearerToGap) / Double(captions) : 0
        return "caption: \(captions) captions for \(gaps) gaps from a pool of \(pool) (\(inventoryNouns) nouns); "
            + String(format: "%.1f%% nearer to their gap than to any ID class prompt; ", share)
            + (short > 0 ? "\(short) gaps got fewer captions than asked; " : "")
            + (llm.map { "\($0); " } ?? "")
            + "skipped \(skipped.total) (\(skipped.summary)), " + String(format: "%.1f s", seconds)
    }
}
