/// Spherical k-means (Coates & Ng 2012): each point joins the centroid with the largest dot product,
/// each centroid becomes the normalized sum of its points weighted by their dot products. Used for
/// the builtin tower's patch centroids and for `train`'s negative prototypes.
///
/// Empty clusters keep their centroid. Ties go to the lower index, sums run in row order and each
/// row's scores are the same bits in any block (GEMMKernel), so the result does not depend on the
/// core count.
public enum SphericalKMeans {
    /// Centroids (one per row, unit length) of the rows of `points`, starting from the points whose
    /// indices are `initial` (the caller draws them with its seeded generator). `progress` gets the
    /// number of each finished iteration.
    public static func fit(
        _ points: Matrix, initial: [Int], iterations: Int, progress: (Int) -> Void = { _ in }
    ) throws(LinearAlgebraError) -> Matrix {
        let (dimension, clusters) = (points.columns, initial.count)
        guard clusters > 0, initial.allSatisfy({ (0..<points.rows).contains($0) }) else {
            throw .shapeMismatch("k-means of \(points.rows) points from \(clusters) initial indices")
        }
        let centroids = Matrix(rows: clusters, columns: dimension)
        for (cluster, row) in initial.enumerated() {
            centroids.pointer(row: cluster).update(from: points.pointer(row: row), count: dimension)
        }
        normalizeRows(centroids, fallback: nil)
        let block = 8192
        let scores = Matrix(rows: min(block, points.rows), columns: clusters)
        let sums = Matrix(rows: clusters, columns: dimension)
        for iteration in 0..<iterations {
            sums.fill(0)
            var start = 0
            while start < points.rows {
                let rows = min(block, points.rows - start)
                Matrix.gemm(transposeA: false, transposeB: true, m: rows, n: clusters, k: dimension,
                            a: points.pointer(row: start), lda: dimension, b: centroids.base, ldb: dimension,
                            c: scores.base, ldc: clusters)
                for row in 0..<rows {
                    let score = scores.pointer(row: row)
                    var best = 0
                    for cluster in 1..<clusters where score[cluster] > score[best] { best = cluster }
                    let weight = score[best]
                    let point = points.pointer(row: start + row)
                    let sum = sums.pointer(row: best)
                    for column in 0..<dimension { sum[column] += weight * point[column] }
                }
                start += rows
            }
            normalizeRows(sums, fallback: centroids)
            centroids.base.update(from: sums.base, count: sums.count)
            progress(iteration + 1)
        }
        return centroids
    }

    /// Scales each row to unit length; a (near) zero row takes `fallback`'s row instead.
    public static func normalizeRows(_ matrix: Matrix, fallback: Matrix?) {
        for row in 0..<matrix.rows {
            let values = matrix.pointer(row: row)
            var squares: Float = 0
            for column in 0..<matrix.columns { squares += values[column] * values[column] }
            if squares > 1e-16 {
                let scale = 1 / squares.squareRoot()
                for column in 0..<matrix.columns { values[column] *= scale }
            } else if let fallback {
                values.update(from: fallback.pointer(row: row), count: matrix.columns)
            }
        }
    }
}
