import Foundation
import Testing
@testable import LinearAlgebra

/// The property every determinism promise stands on: an element of a product is the same bits
/// whatever the shape of the call, the element's position in it, and the core count.
@Suite struct GEMMKernelTests {
    @Test func blisIsLoadedAndNamesItsKernel() throws {
        // scripts/setup installs libblis; without it the command-line tool refuses to run.
        try GEMMKernel.requireBLIS()
        #expect(GEMMKernel.name.hasPrefix("blis "), "\(GEMMKernel.name)")
        #expect(GEMMKernel.name.split(separator: " ").count == 3, "\(GEMMKernel.name)")
    }

    /// Row r of A · Bᵀ computed among `count` rows starting at `offset`, for many batch layouts,
    /// against the same row computed in one big product. Inner sizes cover a short k, a register-tile
    /// multiple and the 384/512/768 of real embeddings (past one k block).
    @Test(arguments: [(3000, 24), (700, 512), (300, 384), (129, 768)])
    func rowsAreTheSameBitsInAnyBatch(n: Int, k: Int) throws {
        var seed: UInt64 = UInt64(n * 31 + k)
        let a = Reference.matrix(300, k, seed: &seed), b = Reference.matrix(n, k, seed: &seed)
        let whole = Matrix(rows: 300, columns: n)
        try whole.assign(a, timesTransposeOf: b)
        for (offset, count) in [(0, 1), (5, 1), (0, 44), (7, 13), (12, 256), (1, 299), (250, 50), (37, 200)] {
            let part = Matrix(rows: count, columns: n)
            Matrix.gemm(transposeA: false, transposeB: true, m: count, n: n, k: k, a: a.pointer(row: offset), lda: k,
                        b: b.base, ldb: k, c: part.base, ldc: n)
            for row in 0..<count {
                let same = memcmp(part.pointer(row: row), whole.pointer(row: offset + row), n * 4) == 0
                #expect(same, "row \(offset + row) computed among \(count) rows from \(offset) (n \(n), k \(k))")
            }
        }
    }

    /// Columns too: the scores of one index row do not depend on the index block around it, and the
    /// transposed layouts (op(A) = Aᵀ, op(B) = B) keep the property.
    @Test func columnsAndTransposedLayoutsAreTheSameBitsInAnyBlock() throws {
        var seed: UInt64 = 9
        let (m, n, k) = (70, 530, 96)
        let a = Reference.matrix(m, k, seed: &seed), b = Reference.matrix(n, k, seed: &seed)
        let whole = Matrix(rows: m, columns: n)
        try whole.assign(a, timesTransposeOf: b)
        let aT = Self.transposed(a), bT = Self.transposed(b)
        for (first, width) in [(0, 1), (3, 17), (100, 400), (529, 1)] {
            let part = Matrix(rows: m, columns: width)
            // op(A) = A, op(B) = Bᵀ: columns first..<first+width of the product.
            Matrix.gemm(transposeA: false, transposeB: true, m: m, n: width, k: k, a: a.base, lda: k,
                        b: b.pointer(row: first), ldb: k, c: part.base, ldc: width)
            let viaTransposes = Matrix(rows: m, columns: width)
            // The same product from Aᵀ (k x m) and Bᵀ (k x n): op(A) = (Aᵀ)ᵀ, op(B) = Bᵀ as stored.
            Matrix.gemm(transposeA: true, transposeB: false, m: m, n: width, k: k, a: aT.base, lda: m,
                        b: bT.base + first, ldb: n, c: viaTransposes.base, ldc: width)
            for row in 0..<m {
                for column in 0..<width {
                    #expect(part[row, column].bitPattern == whole[row, first + column].bitPattern)
                    #expect(viaTransposes[row, column].bitPattern == whole[row, first + column].bitPattern)
                }
            }
        }
    }

    /// A product large enough to be cut into stripes over the cores equals the same product on one
    /// thread inside a parallel region, bit for bit, and equals the definition.
    @Test func stripedProductsEqualOneThread() throws {
        var seed: UInt64 = 11
        for (m, n, k) in [(600, 300, 256), (40, 2000, 128), (333, 333, 100)] {
            let a = Reference.matrix(m, k, seed: &seed), b = Reference.matrix(n, k, seed: &seed)
            let striped = Matrix(rows: m, columns: n)
            try striped.assign(a, timesTransposeOf: b)
            let single = Matrix(rows: m, columns: n)
            Parallel.run(2) { part in
                guard part == 0 else { return }
                Matrix.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a.base, lda: k,
                            b: b.base, ldb: k, c: single.base, ldc: n)
            }
            #expect(memcmp(striped.base, single.base, m * n * 4) == 0, "\(m)x\(n)x\(k)")
            let reference = Reference.productTransposed(a.values, b.values, m: m, n: n, k: k)
            #expect(Reference.maxError(striped.values, reference) < 1e-4)
        }
    }

    @Test func symmetricRankKFillsTheUpperTriangleOfTheGramMatrix() throws {
        var seed: UInt64 = 13
        let (n, k) = (70, 40)
        let a = Reference.matrix(n, k, seed: &seed)
        let full = Matrix(rows: n, columns: n)
        try full.assign(a, timesTransposeOf: a)
        let upper = Matrix(rows: n, columns: n)
        upper.fill(-7)
        Matrix.symmetricRankK(n: n, k: k, alpha: 2, a: a.base, lda: k, c: upper.base, ldc: n)
        for row in 0..<n {
            for column in 0..<n {
                if column >= row {
                    #expect(abs(upper[row, column] - 2 * full[row, column]) < 1e-4)
                } else {
                    #expect(upper[row, column] == -7, "below the diagonal is left as it was")
                }
            }
        }
    }

    @Test func stripesCoverTheLongerSideInWholeTiles() {
        let stripes = Parallel.stripes(m: 1000, n: 300, k: 512)
        #expect(stripes.alongRows)
        let ranges = (0..<stripes.count).map { stripes[$0] }
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 1000)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(ranges.dropLast().allSatisfy { $0.count % 16 == 0 })
        #expect(Parallel.stripes(m: 4, n: 4, k: 4).count == 1)
    }

    static func transposed(_ matrix: Matrix) -> Matrix {
        let result = Matrix(rows: matrix.columns, columns: matrix.rows)
        for row in 0..<matrix.rows { for column in 0..<matrix.columns { result[column, row] = matrix[row, column] } }
        return result
    }
}
