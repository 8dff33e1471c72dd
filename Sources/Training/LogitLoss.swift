import Foundation
import LinearAlgebra

/// Losses of rows of logits, each writing its gradient with respect to the logits into the row
/// (scaled by `gradientScale`) when one is asked for. Log-sum-exp with the maximum subtracted, so
/// large logits never overflow; one exponential per logit.
enum LogitLoss {
    /// -log softmax(z)[target] of each row in `rows`.
    static func crossEntropy(_ logits: Matrix, rows: Range<Int>, targets: [Int], gradientScale: Float?) -> [Double] {
        eachRow(logits, rows) { z, index in
            crossEntropy(z, count: logits.columns, target: targets[index], gradientScale: gradientScale)
        }
    }

    /// -log of the negatives' softmax mass of each row in `rows` (logits from `firstNegative` on).
    static func negativeMass(_ logits: Matrix, rows: Range<Int>, firstNegative: Int, gradientScale: Float?) -> [Double] {
        eachRow(logits, rows) { z, _ in
            negativeMass(z, count: logits.columns, firstNegative: firstNegative, gradientScale: gradientScale)
        }
    }

    /// `loss(row, index in rows)` for each row, the rows spread over the cores in fixed blocks: each
    /// row's result is its own, whatever the core count.
    private static func eachRow(_ logits: Matrix, _ rows: Range<Int>, _ loss: (UnsafeMutablePointer<Float>, Int) -> Double) -> [Double] {
        var losses = [Double](repeating: 0, count: rows.count)
        losses.withUnsafeMutableBufferPointer { out in
            let shared = Output(base: out.baseAddress!)
            BatchSplit.forEachRowBlock(rows: rows.count, blockSize: 64) { block in
                for index in block { shared.base[index] = loss(logits.pointer(row: rows.lowerBound + index), index) }
            }
        }
        return losses
    }

    // Blocks write disjoint entries, and forEachRowBlock returns after all of them.
    private struct Output: @unchecked Sendable { let base: UnsafeMutablePointer<Double> }

    static func crossEntropy(_ z: UnsafeMutablePointer<Float>, count: Int, target: Int, gradientScale: Float?) -> Double {
        let maximum = self.maximum(z, 0..<count)
        let shifted = z[target] - maximum
        let sum = exponentiate(z, 0..<count, minus: maximum)
        if let scale = gradientScale {
            let factor = scale / Float(sum)
            for j in 0..<count { z[j] *= factor }
            z[target] -= scale
        }
        return log(sum) - Double(shifted)
    }

    /// Gradient: p_j - q_j, p the softmax over all logits, q the softmax over the negatives alone.
    static func negativeMass(_ z: UnsafeMutablePointer<Float>, count: Int, firstNegative: Int, gradientScale: Float?) -> Double {
        let maximum = self.maximum(z, 0..<count)
        let all = exponentiate(z, 0..<count, minus: maximum)
        var negatives = 0.0
        for j in firstNegative..<count { negatives += Double(z[j]) }
        if let scale = gradientScale {
            let (p, q) = (scale / Float(all), scale / Float(negatives))
            for j in 0..<count { z[j] *= j >= firstNegative ? p - q : p }
        }
        return log(all) - log(negatives)
    }

    static func maximum(_ z: UnsafePointer<Float>, _ range: Range<Int>) -> Float {
        var maximum = -Float.infinity
        for j in range { maximum = max(maximum, z[j]) }
        return maximum
    }

    /// Replaces each logit by exp(z - maximum) and returns their sum (in row order, in double).
    static func exponentiate(_ z: UnsafeMutablePointer<Float>, _ range: Range<Int>, minus maximum: Float) -> Double {
        var sum = 0.0
        for j in range {
            z[j] = exp(z[j] - maximum)
            sum += Double(z[j])
        }
        return sum
    }

    /// log Σ exp over `range`, leaving the logits as they are (for scoring).
    static func logSumExp(_ z: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        guard !range.isEmpty else { return -.infinity }
        let maximum = self.maximum(z, range)
        var sum = 0.0
        for j in range { sum += Double(exp(z[j] - maximum)) }
        return Double(maximum) + log(sum)
    }
}
