import COpenBLAS

extension Matrix {
    /// C = A · op(B) + beta · C, computed in fixed blocks of rows of A by single-threaded BLAS
    /// (`BatchSplit.forEachRowBlock`): each row of C then depends only on its row of A and on B,
    /// never on the core count or on which other rows share the call. For fitting and for the
    /// builtin tower, whose outputs must be the same bytes on every machine and in every batch.
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

extension Matrix {
    /// Row i of C = B · (row i of A) + beta · (row i of C), one matrix-vector product per row, in
    /// fixed row blocks on single-threaded BLAS. Unlike a GEMM, whose kernels change with the
    /// number of rows (OpenBLAS has small-matrix paths), every row takes the same path: a vector's
    /// result is the same bits alone or in any batch.
    public static func rowwiseProduct(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard n > 0, k > 0 else { return }
        let pointers = Pointers(a: a, b: b, c: c)
        BatchSplit.forEachRowBlock(rows: m) { rows in
            for row in rows {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(n), blasint(k), 1, pointers.b, blasint(ldb),
                            pointers.a + row * lda, 1, beta, pointers.c + row * ldc, 1)
            }
        }
    }
}
