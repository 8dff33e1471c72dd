import Foundation
@testable import Generation

/// PatchDenoiser's loops as they were in Swift before the CDiffusion kernel, kept as the reference
/// that both of the kernel's paths must match bit for bit: the sampler's images must not change.
struct ScalarPatchDenoiser {
    let side: Int
    let maxShift: Int
    /// Each reference planar (R, G, B) in [-1, 1], reflect-padded by `maxShift` on every side.
    let references: [[Float]]
    /// Log prior weight of each reference (the sampler favours references nearer the target).
    let logPriors: [Float]

    init(side: Int, maxShift: Int, references: [[UInt8]], logPriors: [Float]) {
        self.side = side
        self.maxShift = maxShift
        self.logPriors = logPriors
        self.references = references.map { PatchDenoiser.padded($0, side: side, margin: maxShift) }
    }

    /// The estimate of the clean image given `x` (planar, side x side x 3), where
    /// x = signal * clean + noise of variance `variance`; patches are (2 patchRadius + 1)^2.
    func denoise(_ x: [Float], signal: Float, variance: Float, patchRadius: Int) -> [Float] {
        let n = side * side
        var best = [Float](repeating: -.infinity, count: n)
        var weight = [Float](repeating: 0, count: n)
        var sums = [Float](repeating: 0, count: 3 * n)
        var error = [Float](repeating: 0, count: n)
        var rowBox = [Float](repeating: 0, count: n)
        var column = [Float](repeating: 0, count: side)
        x.withUnsafeBufferPointer { x in
            best.withUnsafeMutableBufferPointer { best in
                weight.withUnsafeMutableBufferPointer { weight in
                    sums.withUnsafeMutableBufferPointer { sums in
                        error.withUnsafeMutableBufferPointer { error in
                            rowBox.withUnsafeMutableBufferPointer { rowBox in
                                column.withUnsafeMutableBufferPointer { column in
                                    var scratch = Scratch(best: best, weight: weight, sums: sums, error: error, rowBox: rowBox, column: column)
                                    for (index, reference) in references.enumerated() {
                                        reference.withUnsafeBufferPointer { reference in
                                            for dy in -maxShift...maxShift {
                                                for dx in -maxShift...maxShift {
                                                    accumulate(x: x, reference: reference, dy: dy, dx: dx, logPrior: logPriors[index],
                                                               signal: signal, inverse: 1 / (2 * variance), radius: patchRadius, into: &scratch)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var clean = [Float](repeating: 0, count: 3 * n)
        for q in 0..<n {
            let inverse = weight[q] > 0 ? 1 / weight[q] : 0
            for c in 0..<3 { clean[c * n + q] = sums[c * n + q] * inverse }
        }
        return clean
    }

    private struct Scratch {
        var best, weight, sums, error, rowBox, column: UnsafeMutableBufferPointer<Float>
    }

    /// Adds one candidate (a reference shifted by dy, dx) to every pixel's running softmax.
    private func accumulate(x: UnsafeBufferPointer<Float>, reference: UnsafeBufferPointer<Float>, dy: Int, dx: Int,
                            logPrior: Float, signal: Float, inverse: Float, radius: Int, into s: inout Scratch) {
        let side = side, n = side * side
        let padded = side + 2 * maxShift, plane = padded * padded
        // Squared error of every pixel against the scaled, shifted reference.
        for y in 0..<side {
            let row = (y + dy + maxShift) * padded + dx + maxShift
            for x0 in 0..<side {
                let q = y * side + x0, r = row + x0
                let e0 = x[q] - signal * reference[r]
                let e1 = x[n + q] - signal * reference[plane + r]
                let e2 = x[2 * n + q] - signal * reference[2 * plane + r]
                s.error[q] = e0 * e0 + e1 * e1 + e2 * e2
            }
        }
        // Horizontal box sums, clipped at the image border (the same clipping for every candidate of a
        // pixel, so the softmax compares like with like).
        let reach = min(radius, side - 1)
        for y in 0..<side {
            let base = y * side
            var run: Float = 0
            for x0 in 0...reach { run += s.error[base + x0] }
            s.rowBox[base] = run
            for x0 in 1..<side {
                if x0 + radius < side { run += s.error[base + x0 + radius] }
                if x0 - radius - 1 >= 0 { run -= s.error[base + x0 - radius - 1] }
                s.rowBox[base + x0] = run
            }
        }
        // Vertical box sums, row by row, feeding the online softmax.
        for x0 in 0..<side { s.column[x0] = 0 }
        for y in 0...reach {
            for x0 in 0..<side { s.column[x0] += s.rowBox[y * side + x0] }
        }
        for y in 0..<side {
            if y > 0 {
                if y + radius < side { for x0 in 0..<side { s.column[x0] += s.rowBox[(y + radius) * side + x0] } }
                if y - radius - 1 >= 0 { for x0 in 0..<side { s.column[x0] -= s.rowBox[(y - radius - 1) * side + x0] } }
            }
            let row = (y + dy + maxShift) * padded + dx + maxShift
            for x0 in 0..<side {
                let q = y * side + x0, r = row + x0
                let logit = logPrior - s.column[x0] * inverse
                let top = s.best[q]
                if logit > top {
                    // A new maximum: rescale what was summed so far (exp(-inf) = 0 on the first).
                    let scale = expf(top - logit)
                    s.best[q] = logit
                    s.weight[q] = s.weight[q] * scale + 1
                    s.sums[q] = s.sums[q] * scale + reference[r]
                    s.sums[n + q] = s.sums[n + q] * scale + reference[plane + r]
                    s.sums[2 * n + q] = s.sums[2 * n + q] * scale + reference[2 * plane + r]
                } else if logit > top - 30 {
                    // Below exp(-30) of the best candidate a weight cannot change a float sum.
                    let w = expf(logit - top)
                    s.weight[q] += w
                    s.sums[q] += w * reference[r]
                    s.sums[n + q] += w * reference[plane + r]
                    s.sums[2 * n + q] += w * reference[2 * plane + r]
                }
            }
        }
    }
}
