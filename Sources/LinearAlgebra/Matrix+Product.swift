import COpenBLAS

extension Matrix {
    /// C = alpha · op(A) · op(B) + beta · C on row-major pointers with explicit leading dimensions, so
    /// callers can multiply strided views (one attention head inside a fused QKV row) without copies.
    /// OpenBLAS picks its own thread count per call from the problem size.
    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
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
