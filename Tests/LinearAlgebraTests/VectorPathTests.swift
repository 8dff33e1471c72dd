import CGEMM
import Foundation
import Testing
@testable import LinearAlgebra

/// The AVX2 kernels of CGEMM (the head products) against their portable
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
}
