import Foundation

/// Small vector helpers for points on the unit sphere (also the filter's and evaluation's).
public enum UnitVector {
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum: Float = 0
        for index in 0..<count { sum += a[index] * b[index] }
        return sum
    }

    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in dot(a.baseAddress!, b.baseAddress!, count: min(a.count, b.count)) } }
    }

    /// `vector` scaled to unit length, or nil when its length is zero or not finite.
    public static func normalized(_ vector: [Float]) -> [Float]? {
        var sum: Double = 0
        for value in vector { sum += Double(value) * Double(value) }
        guard sum.isFinite, sum > 1e-24 else { return nil }
        let scale = Float(1 / sum.squareRoot())
        return vector.map { $0 * scale }
    }

    /// The point at `t` along the great circle from `a` to `b` (t beyond 1 extrapolates past `b`).
    static func slerp(_ a: [Float], _ b: [Float], _ t: Double) -> [Float]? {
        let cosine = Double(max(-1, min(1, dot(a, b))))
        let angle = acos(cosine)
        guard angle > 1e-6 else { return normalized(a) }
        let sine = sin(angle)
        let wa = Float(sin((1 - t) * angle) / sine)
        let wb = Float(sin(t * angle) / sine)
        return normalized(zip(a, b).map { wa * $0 + wb * $1 })
    }

    /// `vector` · row `row` of the set's vectors.
    static func dot(_ vector: [Float], row: Int, in set: IDSet) -> Float {
        vector.withUnsafeBufferPointer { dot($0.baseAddress!, set.vectors.pointer(row: row), count: min(vector.count, set.dimension)) }
    }
}
