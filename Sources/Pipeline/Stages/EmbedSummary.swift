import Foundation
import OODCore

/// The end-of-run account of `embed`.
public struct EmbedSummary: Sendable, CustomStringConvertible {
    public var samples = 0
    public var images = 0
    public var captions = 0
    public var skipped = SkipTally()
    public var seconds = 0.0

    public var description: String {
        let rate = seconds > 0 ? Double(samples) / seconds : 0
        return "embed: \(samples) samples, \(images) images and \(captions) captions embedded, skipped \(skipped.total) "
            + "(\(skipped.summary)), \(String(format: "%.1f", rate)) samples/s"
    }
}
