import Foundation
import Testing
@testable import LinearAlgebra

/// The double-precision fitting kernels, checked against definitions computed in plain loops.
@Suite struct LAPACKTests {
    static func randomDoubles(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed
        return Reference.random(count, seed: &state).map(Double.init)
    }

    /// op(a) · op(b) straight from the definition; `a` is stored `k x m` when transposed, `b` `n x k`.
    static func naiveProduct(
        _ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool
    ) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total = 0.0
                for p in 0..<k {
                    let left = transposeA ? a[p * m + i] : a[i * k + p]
                    let right = transposeB ? b[j * k + p] : b[p * n + j]
                    total += left * right
                }
                c[i * n + j] = total
            }
        }
        return c
    }

    static func maxDifference(_ x: [Double], _ y: [Double]) -> Double {
        zip(x, y).map { abs($0 - $1) }.max() ?? 0
    }

    /// A random symmetric matrix with entries in (-1, 1).
    static func randomSymmetric(_ n: Int, seed: UInt64) -> [Double] {
        let raw = randomDoubles(n * n, seed: seed)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (raw[i * n + j] + raw[j * n + i]) / 2 } }
        return a
    }

    /// Mᵀ·M + n·I: symmetric and comfortably positive definite.
    static func randomPositiveDefinite(_ n: Int, seed: UInt64) -> [Double] {
        let m = randomDoubles(n * n, seed: seed)
        var a = naiveProduct(m, m, m: n, n: n, k: n, transposeA: true, transposeB: false)
        for i in 0..<n { a[i * n + i] += Double(n) }
        return a
    }

    // MARK: product

    // m = 150 spans three 64-row blocks with a partial last one, so a wrong block start or leading
    // dimension (especially for the transposed a, whose block start is a column offset) shows up.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)], [1, 7, 64, 150])
    func productMatchesDefinition(transpose: (Bool, Bool), m: Int) throws {
        let (transposeA, transposeB) = transpose
        let (n, k) = (11, 13)
        let a = Self.randomDoubles(m * k, seed: 1)
        let b = Self.randomDoubles(k * n, seed: 2)
        let c = try LAPACK.product(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        let expected = Self.naiveProduct(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        #expect(c.count == m * n)
        #expect(Self.maxDifference(c, expected) < 1e-12)
    }

    @Test func productOfEmptyDimensions() throws {
        // k = 0 is an empty sum, so every entry is exactly zero (not left-over memory).
        #expect(try LAPACK.product([], [], m: 3, n: 2, k: 0) == [0, 0, 0, 0, 0, 0])
        #expect(try LAPACK.product([], [], m: 3, n: 2, k: 0, transposeA: true, transposeB: true) == [0, 0, 0, 0, 0, 0])
        #expect(try LAPACK.product([], [1, 2, 3, 4], m: 0, n: 2, k: 2) == [])
        #expect(try LAPACK.product([1, 2, 3, 4], [], m: 2, n: 0, k: 2, transposeA: true) == [])
    }

    @Test func productRejectsWrongCounts() {
        #expect(throws: LinearAlgebraError.self) { try LAPACK.product([1, 2, 3], [1, 2], m: 2, n: 1, k: 2) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.product([1, 2, 3, 4], [1, 2, 3], m: 2, n: 1, k: 2) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.product([], [], m: -1, n: 0, k: 0) }
    }

    // MARK: symmetricEigen

    @Test func eigenOfKnownTwoByTwo() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, -1)/√2 and (1, 1)/√2.
        let (values, vectors) = try LAPACK.symmetricEigen([2, 1, 1, 2], n: 2)
        #expect(abs(values[0] - 1) < 1e-12 && abs(values[1] - 3) < 1e-12)
        let s = 1 / 2.0.squareRoot()
        // Eigenvectors are defined up to sign.
        #expect(abs(abs(vectors[0]) - s) < 1e-12 && abs(vectors[0] + vectors[1]) < 1e-12)
        #expect(abs(abs(vectors[2]) - s) < 1e-12 && abs(vectors[2] - vectors[3]) < 1e-12)
    }

    @Test func eigenDecompositionOfRandomSymmetric() throws {
        let n = 30
        let a = Self.randomSymmetric(n, seed: 3)
        let (values, vectors) = try LAPACK.symmetricEigen(a, n: n)
        try #require(values.count == n && vectors.count == n * n)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "eigenvalues ascending")
        // A random matrix has distinct eigenvalues, so a sorted-but-constant answer would not pass.
        #expect(values.last! - values.first! > 1)

        // Rows are orthonormal: V·Vᵀ = I.
        var worstGram = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var dot = 0.0
                for p in 0..<n { dot += vectors[i * n + p] * vectors[j * n + p] }
                worstGram = max(worstGram, abs(dot - (i == j ? 1 : 0)))
            }
        }
        #expect(worstGram < 1e-12)

        // Row j is the eigenvector of value j: A·v_j = λ_j·v_j (this catches a column/row mix-up,
        // which orthonormality alone would not, since Vᵀ is orthonormal too).
        var worstResidual = 0.0
        for j in 0..<n {
            for i in 0..<n {
                var av = 0.0
                for p in 0..<n { av += a[i * n + p] * vectors[j * n + p] }
                worstResidual = max(worstResidual, abs(av - values[j] * vectors[j * n + i]))
            }
        }
        #expect(worstResidual < 1e-10)

        // A = Σ λ_j v_j v_jᵀ.
        var rebuilt = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            for r in 0..<n { for c in 0..<n { rebuilt[r * n + c] += values[j] * vectors[j * n + r] * vectors[j * n + c] } }
        }
        #expect(Self.maxDifference(rebuilt, a) < 1e-9)
    }

    @Test func eigenRejectsWrongShapes() {
        #expect(throws: LinearAlgebraError.self) { try LAPACK.symmetricEigen([1, 2, 3], n: 2) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.symmetricEigen([], n: 0) }
    }

    // MARK: solvePositiveDefinite

    @Test func solvesSeveralRightHandSides() throws {
        let (n, columns) = (40, 3)
        let a = Self.randomPositiveDefinite(n, seed: 4)
        let b = Self.randomDoubles(n * columns, seed: 5)
        let x = try LAPACK.solvePositiveDefinite(a, n: n, b, columns: columns)
        try #require(x.count == n * columns)
        let ax = Self.naiveProduct(a, x, m: n, n: columns, k: n, transposeA: false, transposeB: false)
        #expect(Self.maxDifference(ax, b) < 1e-10)
        // The columns are distinct systems: a transposition bug in the right-hand-side layout would
        // mix them, so each column of x must differ from the others.
        #expect(x[0] != x[1] && x[1] != x[2])
    }

    @Test func solveRejectsIndefiniteMatrix() throws {
        // Eigenvalues 3 and -1: symmetric but not positive definite.
        let error = try #require(throws: LinearAlgebraError.self) {
            try LAPACK.solvePositiveDefinite([1, 2, 2, 1], n: 2, [1, 1], columns: 1)
        }
        guard case .notPositiveDefinite = error else {
            Issue.record("expected notPositiveDefinite, got \(error)")
            return
        }
    }

    @Test func solveRejectsWrongCounts() throws {
        let a = Self.randomPositiveDefinite(3, seed: 6)
        for call in [
            { try LAPACK.solvePositiveDefinite(a, n: 3, [1, 2], columns: 1) },
            { try LAPACK.solvePositiveDefinite(a, n: 3, [1, 2, 3, 4, 5], columns: 2) },
            { try LAPACK.solvePositiveDefinite(Array(a.dropLast()), n: 3, [1, 2, 3], columns: 1) },
            { try LAPACK.solvePositiveDefinite(a, n: 3, [], columns: 0) },
        ] as [() throws -> [Double]] {
            let error = try #require(throws: LinearAlgebraError.self) { try call() }
            guard case .shapeMismatch = error else {
                Issue.record("expected shapeMismatch, got \(error)")
                continue
            }
        }
    }
}
