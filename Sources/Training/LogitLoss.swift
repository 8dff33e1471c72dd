import Foundation

/// Losses of one row of logits, each writing its gradient with respect to the logits into the row
/// (scaled by `gradientScale`) when one is asked for. Log-sum-exp with the maximum subtracted, so
/// large logits never overflow.
enum LogitLoss {
    /// -log softmax(z)[target].
    static func crossEntropy(_ z: UnsafeMutablePointer<Float>, count: Int, target: Int, gradientScale: Float?) -> Double {
        let lse = logSumExp(z, 0..<count)
        let loss = lse - Double(z[target])
        if let scale = gradientScale {
            for j in 0..<count { z[j] = scale * Float(exp(Double(z[j]) - lse)) }
            z[target] -= scale
        }
        return loss
    }

    /// -log of the softmax mass on the logits from `firstNegative` on: small when a point is
    /// claimed by the negatives. Gradient: p_j - q_j, q the softmax over the negatives alone.
    static func negativeMass(_ z: UnsafeMutablePointer<Float>, count: Int, firstNegative: Int, gradientScale: Float?) -> Double {
        let all = logSumExp(z, 0..<count)
        let negatives = logSumExp(z, firstNegative..<count)
        if let scale = gradientScale {
            for j in 0..<count {
                let p = exp(Double(z[j]) - all)
                let q = j >= firstNegative ? exp(Double(z[j]) - negatives) : 0
                z[j] = scale * Float(p - q)
            }
        }
        return all - negatives
    }

    static func logSumExp(_ z: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        guard !range.isEmpty else { return -.infinity }
        var maximum = -Float.infinity
        for j in range { maximum = max(maximum, z[j]) }
        var sum = 0.0
        for j in range { sum += exp(Double(z[j] - maximum)) }
        return Double(maximum) + log(sum)
    }
}
