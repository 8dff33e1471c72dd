import Encoders
import Foundation
import OODCore

/// The end-of-run account of `fit`.
public struct FitSummary: Sendable, CustomStringConvertible {
    public var samples: Int
    public var heldOut: Int
    public var classes: Int
    public var skipped: SkipTally
    public var templated = 0
    public var evaluation: ZeroShotScores?
    public var seconds = 0.0

    public var description: String {
        var line = "fit: \(samples) images of \(classes) classes fitted"
        if templated > 0 { line += " (\(templated) captions from the prompt template)" }
        line += ", skipped \(skipped.total) (\(skipped.summary)), \(String(format: "%.1f", seconds)) s"
        if let evaluation { line += "; \(evaluation)" }
        return line
    }
}
