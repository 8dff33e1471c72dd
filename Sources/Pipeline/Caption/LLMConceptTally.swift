import OODCore

/// What became of a chat model's concepts in one `caption` run: requests, proposals, the gates'
/// rejections by reason, and the captions chosen from what passed.
public struct LLMConceptTally: Sendable, CustomStringConvertible {
    public var asked = 0
    public var cached = 0
    public var failed = 0
    /// Answer items that were no concept (prose, not-english, too-long, ...).
    public var unparsed = SkipTally()
    public var proposed = 0
    public var passed = 0
    /// Proposals the gates dropped: id-concept, repeated, neglabel.
    public var rejected = SkipTally()
    public var captions = 0

    public var description: String {
        "LLM concepts: \(proposed) proposed (requests: \(asked) asked, \(cached) cached, \(failed) failed; "
            + "answer items skipped: \(unparsed.summary)), \(passed) passed the gates (rejected: \(rejected.summary)); "
            + "\(captions) captions from them"
    }
}
