import Foundation

/// A filter threshold, in one of three scales, because raw similarity values mean different things
/// under different models:
/// - `0.27`: an absolute value of the score;
/// - `q0.5`: that quantile of the score over the current batch (the batch's own median);
/// - `p95`: that percentile of the score over the ID set (e.g. the 95th percentile of the ID points'
///   own k-th-NN distances), the scale on which "outside the data" is defined.
public enum Threshold: Sendable, Equatable, CustomStringConvertible {
    case absolute(Float)
    case batchQuantile(Double)
    case idPercentile(Double)

    /// Parses `0.27`, `q0.5` or `p95`; nil for anything else (NaN, q outside 0...1, p outside 0...100).
    public init?(_ text: String) {
        let body = text.dropFirst()
        switch text.first {
        case "q":
            guard let q = Double(body), (0...1).contains(q) else { return nil }
            self = .batchQuantile(q)
        case "p":
            guard let p = Double(body), (0...100).contains(p) else { return nil }
            self = .idPercentile(p)
        default:
            guard let value = Float(text), value.isFinite else { return nil }
            self = .absolute(value)
        }
    }

    public var description: String {
        switch self {
        case .absolute(let value): return Self.format(Double(value))
        case .batchQuantile(let q): return "q" + Self.format(q)
        case .idPercentile(let p): return "p" + Self.format(p)
        }
    }

    /// The threshold's value for a batch whose scores are `batch`; `idTable` holds the ID set's
    /// 0th...100th percentiles of the same score (needed only for `p`).
    public func value(batch: [Float], idTable: [Float]?) throws(CurationError) -> Float {
        switch self {
        case .absolute(let value):
            return value
        case .batchQuantile(let q):
            return Self.quantile(batch, q) ?? .nan
        case .idPercentile(let p):
            guard let idTable, idTable.count >= 2 else { throw .noIDScale(self) }
            return Self.interpolate(idTable, at: p / 100)
        }
    }

    /// The `q`-quantile with linear interpolation between order statistics (numpy's default method).
    public static func quantile(_ values: [Float], _ q: Double) -> Float? {
        let finite = values.filter(\.isFinite).sorted()
        guard !finite.isEmpty else { return nil }
        return interpolate(finite, at: q)
    }

    /// A percentile table (101 entries, the 0th...100th percentiles) of `values`.
    public static func percentileTable(_ values: [Float]) -> [Float] {
        (0...100).map { quantile(values, Double($0) / 100) ?? .nan }
    }

    /// Linear interpolation in sorted `values` at fraction `at` of the way from first to last.
    static func interpolate(_ sorted: [Float], at fraction: Double) -> Float {
        let position = fraction * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        let weight = Float(position - Double(low))
        return sorted[low] + (sorted[high] - sorted[low]) * weight
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }
}
