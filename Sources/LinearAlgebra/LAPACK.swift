import CGEMM
import COpenBLAS

/// Double-precision linear algebra for fitting (not for inference, which stays in Float32): a matrix
/// product, a symmetric eigendecomposition (patch whitening) and a positive-definite solve (ridge
/// regression), through the BLAS and LAPACK inside OpenBLAS. Matrices are row-major arrays.
///
/// Fitted models must be byte-identical for any core count, and OpenBLAS's own threading rounds
/// differently with the thread count. So products go block by block (`BatchSplit.forEachRowBlock`)
/// on the `GEMMKernel` (BLIS: each element the same bits in any block) and the factorizations run on
/// one thread.
public enum LAPACK {
    /// op(a) · op(b), where op(a) is `m x k` and op(b) is `k x n`.
    public static func product(
        _ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false
    ) throws(LinearAlgebraError) -> [Double] {
        guard m >= 0, n >= 0, k >= 0, a.count == m * k, b.count == k * n else {
            throw .shapeMismatch("double product of \(a.count) and \(b.count) values as \(m)x\(k) · \(k)x\(n)")
        }
        var c = [Double](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return c }
        c.withUnsafeMutableBufferPointer { output in
            let shared = SharedOutput(base: output.baseAddress!)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    let (a, b) = (a.baseAddress!, b.baseAddress!)
                    BatchSplit.forEachRowBlock(rows: m) { rows in
                        // Row `first` of op(a): a row of a, or a column of a when transposed.
                        let start = transposeA ? a + rows.lowerBound : a + rows.lowerBound * k
                        let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
                        let out = shared.base + rows.lowerBound * n
                        if GEMMKernel.isBLIS {
                            cgemm_dgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, rows.count, n, k, 1, start, lda, b, ldb, 0, out, n)
                        } else {
                            cblas_dgemm(
                                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                blasint(rows.count), blasint(n), blasint(k), 1, start, blasint(lda), b, blasint(ldb), 0, out, blasint(n))
                        }
                    }
                }
            }
        }
        return c
    }

    // Each block writes only its own rows, and the parts finish before the buffer is released.
    private struct SharedOutput: @unchecked Sendable { let base: UnsafeMutablePointer<Double> }

    /// Eigenvalues in ascending order and the matching unit eigenvectors, one per row.
    public static func symmetricEigen(_ matrix: [Double], n: Int) throws(LinearAlgebraError) -> (values: [Double], vectors: [Double]) {
        guard n > 0, matrix.count == n * n else { throw .shapeMismatch("symmetricEigen of \(matrix.count) values as \(n) x \(n)") }
        var a = matrix
        var values = [Double](repeating: 0, count: n)
        var size = Int32(n), lda = Int32(n), info: Int32 = 0
        var query = [Double](repeating: 0, count: 1)
        var lwork: Int32 = -1
        BatchSplit.singleThreaded {
            dsyev_("V", "U", &size, &a, &lda, &values, &query, &lwork, &info, 1, 1)
            lwork = Int32(max(1, query[0]))
            var work = [Double](repeating: 0, count: Int(lwork))
            dsyev_("V", "U", &size, &a, &lda, &values, &work, &lwork, &info, 1, 1)
        }
        guard info == 0 else { throw .notConverged("dsyev info \(info) on a \(n) x \(n) matrix") }
        // Column-major output: column j is eigenvector j, which in row-major storage is row j.
        return (values, a)
    }

    /// Solves `a · x = b` for a symmetric positive-definite `a` (`n x n`) and `b` with `columns`
    /// right-hand sides (row-major `n x columns`) by Cholesky factorization.
    public static func solvePositiveDefinite(_ a: [Double], n: Int, _ b: [Double], columns: Int) throws(LinearAlgebraError) -> [Double] {
        guard n > 0, columns > 0, a.count == n * n, b.count == n * columns else {
            throw .shapeMismatch("solvePositiveDefinite of a \(a.count)-value matrix as \(n) x \(n) with \(b.count) right-hand values")
        }
        var factor = a
        // LAPACK wants column-major right-hand sides.
        var rhs = [Double](repeating: 0, count: n * columns)
        for row in 0..<n { for column in 0..<columns { rhs[column * n + row] = b[row * columns + column] } }
        var size = Int32(n), count = Int32(columns), lda = Int32(n), ldb = Int32(n), info: Int32 = 0
        BatchSplit.singleThreaded {
            dposv_("U", &size, &count, &factor, &lda, &rhs, &ldb, &info, 1)
        }
        guard info == 0 else {
            throw .notPositiveDefinite("dposv info \(info) on a \(n) x \(n) matrix")
        }
        var x = [Double](repeating: 0, count: n * columns)
        for row in 0..<n { for column in 0..<columns { x[row * columns + column] = rhs[column * n + row] } }
        return x
    }
}
