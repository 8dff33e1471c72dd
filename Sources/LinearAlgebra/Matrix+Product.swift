import CGEMM
import COpenBLAS

extension Matrix {
    /// C = alpha · op(A) · op(B) + beta · C on row-major pointers with explicit leading dimensions, so
    /// callers can multiply strided views (one attention head inside a fused QKV row) without copies.
    ///
    /// On BLIS (`GEMMKernel`) each element of C is the same bits however the product is cut, so a
    /// large product is cut here into one stripe of rows (or columns) per core, each on one thread,
    /// and gives exactly what one call would. Inside a parallel region (`Parallel`, `BatchSplit`) it
    /// stays on the calling thread.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard GEMMKernel.isBLIS else {
            cblas_sgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
            return
        }
        let stripes = Parallel.stripes(m: m, n: n, k: k)
        guard stripes.count > 1 else {
            cgemm_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        let pointers = StripePointers(a: a, b: b, c: c)
        Parallel.run(stripes.count) { part in
            let range = stripes[part]
            if stripes.alongRows {
                // Rows of op(A): rows of A, or columns of A when it is transposed.
                let a = transposeA ? pointers.a + range.lowerBound : pointers.a + range.lowerBound * lda
                cgemm_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, range.count, n, k, alpha, a, lda,
                            pointers.b, ldb, beta, pointers.c + range.lowerBound * ldc, ldc)
            } else {
                // Columns of op(B): rows of B when it is transposed, columns of B otherwise.
                let b = transposeB ? pointers.b + range.lowerBound * ldb : pointers.b + range.lowerBound
                cgemm_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, range.count, k, alpha, pointers.a, lda,
                            b, ldb, beta, pointers.c + range.lowerBound, ldc)
            }
        }
    }

    /// The upper triangle (column >= row) of C = alpha · A · Aᵀ (A is n x k, row-major): half the work
    /// of the product, for Gram matrices. The rest of C is not written. One thread.
    public static func symmetricRankK(n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard n > 0 else { return }
        if GEMMKernel.isBLIS {
            cgemm_ssyrk_upper(n, k, alpha, a, lda, c, ldc)
        } else {
            gemm(transposeA: false, transposeB: true, m: n, n: n, k: k, alpha: alpha, a: a, lda: lda, b: a, ldb: lda, c: c, ldc: ldc)
        }
    }

    // Stripes write disjoint parts of c, and Parallel.run returns after all of them.
    private struct StripePointers: @unchecked Sendable {
        let a: UnsafePointer<Float>
        let b: UnsafePointer<Float>
        let c: UnsafeMutablePointer<Float>
    }

    /// self = a · bᵀ: the layout of a Hugging Face `Linear`, whose weights are [out, in].
    public func assign(_ a: Matrix, timesTransposeOf b: Matrix) throws(LinearAlgebraError) {
        guard a.columns == b.columns, rows == a.rows, columns == b.rows else {
            throw .shapeMismatch("[\(rows), \(columns)] = [\(a.rows), \(a.columns)] · [\(b.rows), \(b.columns)]ᵀ")
        }
        Matrix.gemm(transposeA: false, transposeB: true, m: a.rows, n: b.rows, k: a.columns,
                    a: a.base, lda: a.columns, b: b.base, ldb: b.columns, c: base, ldc: columns)
    }

    /// self = a · b.
    public func assign(_ a: Matrix, times b: Matrix) throws(LinearAlgebraError) {
        guard a.columns == b.rows, rows == a.rows, columns == b.columns else {
            throw .shapeMismatch("[\(rows), \(columns)] = [\(a.rows), \(a.columns)] · [\(b.rows), \(b.columns)]")
        }
        Matrix.gemm(transposeA: false, transposeB: false, m: a.rows, n: b.columns, k: a.columns,
                    a: a.base, lda: a.columns, b: b.base, ldb: b.columns, c: base, ldc: columns)
    }

    /// Adds `other` elementwise (residual connections).
    public func add(_ other: Matrix) throws(LinearAlgebraError) {
        guard other.rows == rows, other.columns == columns else {
            throw .shapeMismatch("[\(rows), \(columns)] += [\(other.rows), \(other.columns)]")
        }
        cblas_saxpy(blasint(count), 1, other.base, 1, base, 1)
    }
}
