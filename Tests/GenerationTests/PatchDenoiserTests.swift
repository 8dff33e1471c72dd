import Foundation
import OODCore
import Testing
@testable import Generation

/// The optimized denoiser (running box sums, online softmax) against the definition written out
/// directly: for every pixel, every reference at every shift, the full patch distance, then a softmax.
@Suite struct PatchDenoiserTests {
    static func randomImage(side: Int, seed: UInt64) -> [UInt8] {
        var random = SeededGenerator(seed: seed, key: "image")
        return (0..<(side * side * 3)).map { _ in UInt8(random.nextIndex(below: 256)) }
    }

    /// The definition: pixel p's estimate is sum_c w_c ref_c(p + d_c), w = softmax over candidates of
    /// prior - |patch(x, p) - a patch(ref, p + d)|^2 / (2 v), patches clipped at the image border.
    static func direct(_ x: [Float], references: [[UInt8]], priors: [Float], side: Int, shift: Int, radius: Int,
                       signal: Float, variance: Float) -> [Float] {
        let n = side * side
        func reflect(_ i: Int) -> Int { i < 0 ? -i : (i >= side ? 2 * (side - 1) - i : i) }
        func ref(_ r: Int, _ c: Int, _ y: Int, _ x: Int) -> Double {
            Double(references[r][(reflect(y) * side + reflect(x)) * 3 + c]) / 127.5 - 1
        }
        var out = [Float](repeating: 0, count: 3 * n)
        for py in 0..<side {
            for px in 0..<side {
                var logits: [Double] = [], values: [[Double]] = []
                for r in references.indices {
                    for dy in -shift...shift {
                        for dx in -shift...shift {
                            var distance = 0.0
                            for oy in -radius...radius {
                                for ox in -radius...radius {
                                    let y = py + oy, x0 = px + ox
                                    guard (0..<side).contains(y), (0..<side).contains(x0) else { continue }
                                    for c in 0..<3 {
                                        let e = Double(x[c * n + y * side + x0]) - Double(signal) * ref(r, c, y + dy, x0 + dx)
                                        distance += e * e
                                    }
                                }
                            }
                            logits.append(Double(priors[r]) - distance / (2 * Double(variance)))
                            values.append((0..<3).map { ref(r, $0, py + dy, px + dx) })
                        }
                    }
                }
                let top = logits.max() ?? 0
                let weights = logits.map { exp($0 - top) }
                let total = weights.reduce(0, +)
                for c in 0..<3 {
                    out[c * n + py * side + px] = Float(zip(weights, values).reduce(0) { $0 + $1.0 * $1.1[c] } / total)
                }
            }
        }
        return out
    }

    @Test(arguments: [(0.9, 0.02, 1, 1), (0.3, 0.9, 2, 2), (0.05, 0.99, 1, 3)])
    func matchesTheDefinition(signal: Double, variance: Double, shift: Int, radius: Int) {
        let side = 9
        let references = (0..<3).map { Self.randomImage(side: side, seed: UInt64($0)) }
        let priors: [Float] = [0, -0.5, -1.2]
        var random = SeededGenerator(seed: 7, key: "x")
        let x = (0..<(3 * side * side)).map { _ in Float(random.nextNormal()) * Float(variance.squareRoot()) + Float(signal) * 0.2 }
        let denoiser = PatchDenoiser(side: side, maxShift: shift, references: references, logPriors: priors)
        let fast = denoiser.denoise(x, signal: Float(signal), variance: Float(variance), patchRadius: radius)
        let slow = Self.direct(x, references: references, priors: priors, side: side, shift: shift, radius: radius,
                               signal: Float(signal), variance: Float(variance))
        let worst = zip(fast, slow).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 2e-4, "largest difference \(worst)")
    }

    @Test func cleanInputGivesTheReferenceBack() {
        let side = 12
        let reference = Self.randomImage(side: side, seed: 3)
        let other = Self.randomImage(side: side, seed: 4)
        let denoiser = PatchDenoiser(side: side, maxShift: 2, references: [reference, other], logPriors: [0, 0])
        let planar = PatchDenoiser.padded(reference, side: side, margin: 0)
        let clean = denoiser.denoise(planar, signal: 1, variance: 1e-3, patchRadius: 1)
        let worst = zip(clean, planar).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1e-5)
    }
}
