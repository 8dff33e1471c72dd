import OODCore

/// The end-of-run account of `generate`.
public struct GenerateSummary: Sendable, CustomStringConvertible {
    public var captions = 0
    public var images = 0
    public var skipped = SkipTally()
    public var seconds = 0.0

    public var description: String {
        let rate = seconds > 0 ? Double(images) / seconds : 0
        return "generate: \(images) images for \(captions) captions, " + String(format: "%.2f images/s; ", rate)
            + "skipped \(skipped.total)" + (skipped.total > 0 ? " (\(skipped.summary))" : "") + String(format: ", %.1f s", seconds)
    }
}
