import CGEMM
import Foundation
import Testing
@testable import LinearAlgebra

/// The AVX2 kernels of CGEMM (head products, activations, softmax exponentials) against their portable
/// paths, bit for bit: the vector paths may only run the same sums side by side, never reorder them.
/// (On a CPU without AVX2 both sides are the portable path and these hold trivially.)
@Suite struct VectorPathTests {
    /// Values whose magnitudes span six decades, so that any change in summation order shows in the bits.
    static func spread(_ count: Int, seed: inout UInt64) -> [Float] {
        let base = Reference.random(count, seed: &seed)
        let exponents = Reference.random(count, seed: &seed, scale: 3)
        return zip(base, exponents).map { $0 * Float(pow(10, Double($1.rounded()))) }
    }

    static func same(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

    /// Every width and key count from 1 to 80 (multiples of 8 and not), strides wider than the rows,
    /// and the cells outside each product (NaN sentinels) untouched.
    @Test func headScoresMatchThePortablePath() {
        var seed: UInt64 = 21
        var mismatches: [String] = []
        for width in 1...80 {
            for columns in [1, 5, 8, 9, 16, 50, 80, (width * 37) % 80 + 1] {
                let rows = Int(seed >> 61) + 1  // 1 to 8
                let (ldq, ldk, lds) = (width + 3, width + 11, columns + 5)
                let q = Self.spread(rows * ldq, seed: &seed), k = Self.spread(columns * ldk, seed: &seed)
                let alpha = 1 / Float(width).squareRoot()
                var vector = [Float](repeating: .nan, count: rows * lds), portable = vector
                cgemm_head_scores(rows, columns, width, alpha, q, ldq, k, ldk, &vector, lds)
                cgemm_head_scores_portable(rows, columns, width, alpha, q, ldq, k, ldk, &portable, lds)
                if !Self.same(vector, portable) { mismatches.append("\(rows)x\(columns)x\(width)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Odd and even row counts (the vector path takes rows in pairs), widths 1 to 80 (tiles of 32
    /// values and a ragged last one), lengths 0 to 80.
    @Test func headMixMatchesThePortablePath() {
        var seed: UInt64 = 22
        var mismatches: [String] = []
        for width in 1...80 {
            for length in [0, 1, 3, 8, 13, 50, 80, (width * 29) % 81] {
                let rows = Int(seed >> 61) + 1
                let (ldp, ldv, ldo) = (length + 2, width + 7, width + 4)
                let p = Self.spread(rows * ldp, seed: &seed), v = Self.spread(max(length, 1) * ldv, seed: &seed)
                var vector = [Float](repeating: .nan, count: rows * ldo), portable = vector
                cgemm_head_mix(rows, length, width, p, ldp, v, ldv, &vector, ldo)
                cgemm_head_mix_portable(rows, length, width, p, ldp, v, ldv, &portable, ldo)
                if !Self.same(vector, portable) { mismatches.append("\(rows)x\(length)x\(width)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Inputs where exp, erf and the activations take their edge paths: signed zeros, the clamps of
    /// exp at -87.3 and 88.7 and their neighbours, overflow of the activations' intermediates,
    /// infinities, NaNs (quiet, signalling, negative, with a payload), subnormals; then a sweep.
    static let specialValues: [Float] = {
        var values: [Float] = [0, -0, 1, -1, 0.5, -0.5, 1e-3, -1e-3, 1e-20, -1e-20, 1e30, -1e30, 3e38, -3e38,
                               .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity,
                               .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                               .leastNormalMagnitude, -.leastNormalMagnitude,
                               Float(bitPattern: 0x0000_0001), Float(bitPattern: 0x807F_FFFF), Float(bitPattern: 0x0040_0000),
                               .nan, -.nan, .signalingNaN, Float(bitPattern: 0x7FC1_2345), Float(bitPattern: 0xFF80_0001)]
        for clamp: Float in [-87.3, 88.7, 87.3, -88.7, 51.3, -51.3, 44.35, -44.35, 16, -16, 10, -10, 6, -6] {
            values += [clamp, clamp.nextUp, clamp.nextDown, clamp.nextUp.nextUp, clamp.nextDown.nextDown]
        }
        var x: Float = -120
        while x < 120 {
            values.append(x)
            x += 0.00731
        }
        return values
    }()

    static func vectorAndPortable(_ activation: Activation, _ input: [Float]) -> ([Float], [Float]) {
        var vector = input, portable = input
        vector.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
        portable.withUnsafeMutableBufferPointer { activation.applyPortable($0.baseAddress!, count: $0.count) }
        return (vector, portable)
    }

    @Test(arguments: [Activation.gelu, .quickGELU, .geluTanh, .relu])
    func activationMatchesThePortablePath(activation: Activation) {
        let (vector, portable) = Self.vectorAndPortable(activation, Self.specialValues)
        let differing = (0..<vector.count).filter { vector[$0].bitPattern != portable[$0].bitPattern }
        #expect(differing.isEmpty, "\(differing.prefix(10).map { (Self.specialValues[$0], vector[$0], portable[$0]) })")
        // Every count from 0 to 80: whole vectors and the ragged last one.
        var seed: UInt64 = 23
        for count in 0...80 {
            let (vector, portable) = Self.vectorAndPortable(activation, Reference.random(count, seed: &seed, scale: 12))
            #expect(Self.same(vector, portable), "\(activation) count \(count)")
        }
    }

    /// The softmax's exponentials, exp(x - shift), over the special values and for every count.
    @Test func expShiftedMatchesVectorMathExp() {
        for shift: Float in [0, -0, 3.5, -87.3, 1e30] {
            var vector = Self.specialValues
            let portable = vector.map { VectorMath.exp($0 - shift) }
            let done = vector.withUnsafeMutableBufferPointer { cgemm_exp_shifted($0.baseAddress!, $0.count, shift) }
            if done == 0 { continue }  // no AVX2 here: nothing to compare
            let differing = (0..<vector.count).filter { vector[$0].bitPattern != portable[$0].bitPattern }
            #expect(differing.isEmpty, "shift \(shift): \(differing.prefix(10).map { (Self.specialValues[$0], vector[$0], portable[$0]) })")
        }
    }

    @Test func softmaxMatchesThePortablePath() {
        var seed: UInt64 = 24
        for count in 1...80 {
            for scale: Float in [1, 30, 300] {
                var vector = Reference.random(count, seed: &seed, scale: scale), portable = vector
                vector.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: count, allowVector: true) }
                portable.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: count, allowVector: false) }
                #expect(Self.same(vector, portable), "count \(count) scale \(scale)")
            }
        }
    }
}
