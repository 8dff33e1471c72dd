import Foundation
@testable import LinearAlgebra

/// Plain double-precision versions of the kernels, written for clarity, to check the fast ones.
enum Reference {
    static func random(_ count: Int, seed: inout UInt64, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return (Float(seed >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    static func matrix(_ rows: Int, _ columns: Int, seed: inout UInt64, scale: Float = 1) -> Matrix {
        // Shapes are fixed by each test, so the throwing initializer cannot fail here.
        (try? Matrix(rows: rows, columns: columns, values: random(rows * columns, seed: &seed, scale: scale)))
            ?? Matrix(rows: rows, columns: columns)
    }

    /// a · bᵀ (+ bias).
    static func productTransposed(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, bias: [Float]? = nil) -> [Double] {
        var result = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total = Double(bias?[j] ?? 0)
                for p in 0..<k { total += Double(a[i * k + p]) * Double(b[j * k + p]) }
                result[i * n + j] = total
            }
        }
        return result
    }

    static func softmax(_ x: [Double]) -> [Double] {
        let top = x.max() ?? 0
        let e = x.map { Foundation.exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// Attention for one sequence of `length` tokens, straight from the definition, with masks
    /// applied as -infinity before the softmax as the reference implementations do.
    static func attention(qkv: [Float], hidden: Int, heads: Int, length: Int, padded: Int, causal: Bool) -> [Double] {
        let width = hidden / heads
        var out = [Double](repeating: 0, count: padded * hidden)
        for head in 0..<heads {
            for i in 0..<length {
                var scores = [Double](repeating: -.infinity, count: padded)
                for j in 0..<padded where j < length && (!causal || j <= i) {
                    var dot = 0.0
                    for d in 0..<width {
                        dot += Double(qkv[i * 3 * hidden + head * width + d]) * Double(qkv[j * 3 * hidden + hidden + head * width + d])
                    }
                    scores[j] = dot / Double(width).squareRoot()
                }
                let p = softmax(scores)
                for d in 0..<width {
                    var total = 0.0
                    for j in 0..<padded where p[j] > 0 { total += p[j] * Double(qkv[j * 3 * hidden + 2 * hidden + head * width + d]) }
                    out[i * hidden + head * width + d] = total
                }
            }
        }
        return out
    }

    static func maxError(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
    }
}
