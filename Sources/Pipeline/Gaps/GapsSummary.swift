import Foundation
import OODCore

/// The end-of-run account of `gaps`.
public struct GapsSummary: Sendable, CustomStringConvertible {
    public var embeddings = 0
    public var classes = 0
    public var skipped = SkipTally()
    public var k = 0
    public var supportDistance: Float = 0
    public var farDistance: Float = 0
    public var gaps = 0
    public var proposed = 0
    public var rejected: [String: Int] = [:]
    public var seconds = 0.0

    public var description: String {
        let rejections = rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "gaps: \(embeddings) ID embeddings of \(classes) classes (skipped \(skipped.total): \(skipped.summary)); "
            + String(format: "k=%d, support distance %.4f, far limit %.4f; ", k, supportDistance, farDistance)
            + "\(gaps) gaps kept of \(proposed) proposed (rejected: \(rejections.isEmpty ? "none" : rejections)), "
            + String(format: "%.1f s", seconds)
    }
}
