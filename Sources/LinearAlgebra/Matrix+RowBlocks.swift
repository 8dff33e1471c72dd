import COpenBLAS

extension Matrix {
    /// C = A · op(B) + beta · C, computed in fixed blocks of rows of A, spread over the cores with
    /// `BatchSplit.forEachRowBlock`, each block on one thread. With BLIS (`GEMMKernel`) every row of C
    /// depends only on its row of A and on B, never on the core count or the other rows. For the
    /// products inside fitting and the builtin tower, whose callers are already split by rows.
    public static func rowBlockedGEMM(
        transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let pointers = Pointers(a: a, b: b, c: c)
        BatchSplit.forEachRowBlock(rows: m) { rows in
            gemm(transposeA: false, transposeB: transposeB, m: rows.count, n: n, k: k,
                 a: pointers.a + rows.lowerBound * lda, lda: lda, b: pointers.b, ldb: ldb,
                 beta: beta, c: pointers.c + rows.lowerBound * ldc, ldc: ldc)
        }
    }

    /// self = a · b (or a · bᵀ), row-blocked as above.
    public func assignRowBlocked(_ a: Matrix, times b: Matrix, transposeB: Bool = false) throws(LinearAlgebraError) {
        let inner = transposeB ? b.columns : b.rows
        let outer = transposeB ? b.rows : b.columns
        guard a.columns == inner, rows == a.rows, columns == outer else {
            throw .shapeMismatch("[\(rows), \(columns)] = [\(a.rows), \(a.columns)] · [\(b.rows), \(b.columns)]\(transposeB ? "ᵀ" : "")")
        }
        Matrix.rowBlockedGEMM(transposeB: transposeB, m: a.rows, n: outer, k: a.columns, a: a.base, lda: a.columns,
                              b: b.base, ldb: b.columns, c: base, ldc: columns)
    }

    // Blocks write disjoint rows of c, and forEachRowBlock returns after all of them.
    private struct Pointers: @unchecked Sendable {
        let a: UnsafePointer<Float>
        let b: UnsafePointer<Float>
        let c: UnsafeMutablePointer<Float>
    }
}
