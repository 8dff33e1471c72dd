import CDiffusion
import Foundation
import OODCore
import Testing
@testable import Generation

/// The CDiffusion kernel against the Swift loop it replaced, bit for bit: generated images must not
/// change by a single byte. Both of its paths are checked (the vector one where the CPU has it).
@Suite struct PatchDenoiserKernelTests {
    /// Sides around the kernel's blocks of eight, shifts from none to past the blocks, patches from
    /// 3x3 to wider than the image; variances from pure noise to the last steps, where logits are
    /// large and new maxima jump far past the old ones (expf's underflow and special lanes).
    @Test(arguments: [
        (1, 0, 1, 0.05, 0.99), (5, 1, 2, 0.3, 0.9), (8, 2, 1, 0.9, 0.02), (9, 3, 4, 0.5, 0.5),
        (13, 4, 1, 0.99, 1e-3), (17, 2, 3, 0.999, 2e-4), (24, 3, 30, 0.7, 0.3), (33, 1, 1, 0.95, 5e-3),
    ])
    func matchesTheScalarLoopBitForBit(side: Int, shift: Int, radius: Int, signal: Double, variance: Double) {
        let references = (0..<3).map { PatchDenoiserTests.randomImage(side: side, seed: UInt64(side * 10 + $0)) }
        let priors: [Float] = [0, -0.7, -2.5]
        var random = SeededGenerator(seed: UInt64(side), key: "x")
        // Near the first reference plus noise, as in sampling, so that the softmax has real contests.
        let first = PatchDenoiser.padded(references[0], side: side, margin: 0)
        let x = first.map { Float(signal) * $0 + Float(random.nextNormal()) * Float(variance.squareRoot()) }
        let expected = ScalarPatchDenoiser(side: side, maxShift: shift, references: references, logPriors: priors)
            .denoise(x, signal: Float(signal), variance: Float(variance), patchRadius: radius)
        let denoiser = PatchDenoiser(side: side, maxShift: shift, references: references, logPriors: priors)
        for vector in [false, true] {
            let clean = denoiser.denoise(x, signal: Float(signal), variance: Float(variance), patchRadius: radius, vector: vector)
            let differing = zip(clean, expected).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(differing) of \(clean.count) values differ (vector path: \(vector && cdiffusion_has_vector_path()))")
        }
    }

    /// The vector path's own exp against expf: the limits, the band the softmax uses, and a spread of
    /// every float's bit patterns (all 2^32 agreed when the kernel was written).
    @Test func expMatchesExpfBitForBit() {
        var inputs: [Float] = [-.infinity, .infinity, .nan, 0, -0, -30, -87.99, -88, -100, -103.5, -103.97, -104, -200,
                               88, 88.72, 89, -.leastNonzeroMagnitude, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        for bits in stride(from: UInt32(0), to: UInt32.max - 4_099, by: 4_099) { inputs.append(Float(bitPattern: bits)) }
        var random = SeededGenerator(seed: 1, key: "exp")
        for _ in 0..<100_000 { inputs.append(-Float(random.nextIndex(below: 1 << 24)) / Float(1 << 24) * 30) }
        var outputs = [Float](repeating: 0, count: inputs.count)
        cdiffusion_exp(inputs, &outputs, inputs.count, true)
        let differing = zip(inputs, outputs).filter { x, y in
            let expected = expf(x)
            return !(y.bitPattern == expected.bitPattern || (y.isNaN && expected.isNaN))
        }
        #expect(differing.isEmpty, "first differences (x, vector): \(differing.prefix(5))")
    }
}
