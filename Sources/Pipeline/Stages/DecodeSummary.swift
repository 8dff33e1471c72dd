import Foundation
import OODCore

/// The end-of-run account of `decode`, printed on stderr.
public struct DecodeSummary: Sendable, CustomStringConvertible {
    public var read = 0
    public var emitted = 0
    public var skipped = SkipTally()
    public var seconds = 0.0

    public var description: String {
        let rate = seconds > 0 ? Double(read) / seconds : 0
        return "decode: read \(read) images, emitted \(emitted), skipped \(skipped.total) (\(skipped.summary)), "
            + "\(String(format: "%.1f", rate)) images/s"
    }
}
