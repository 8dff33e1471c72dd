import LinearAlgebra

/// The closed-form map from image features into the text tower's space: ridge regression of caption
/// embeddings on standardized features, with the standardization folded into the weights so applying
/// it is one GEMM plus a bias.
public struct RidgeMap {
    /// `outputs x features`, the layout of a Hugging Face `Linear`.
    public let weight: Matrix
    public let bias: [Float]

    public init(weight: Matrix, bias: [Float]) throws(LinearAlgebraError) {
        guard weight.rows == bias.count else {
            throw .shapeMismatch("ridge map weight \(weight.shape) with bias \(bias.count)")
        }
        self.weight = weight
        self.bias = bias
    }

    /// Minimizes |A·W - (Y - ȳ)|² + penalty·|W|² with A the standardized features (each column to
    /// mean 0 and unit standard deviation, with a variance floor). Solves whichever normal equations are smaller: the N x N dual
    /// (A·Aᵀ + λI)·α = Y, W = Aᵀ·α when there are fewer samples than features, else the primal.
    public static func fit(features: Matrix, targets: Matrix, penalty: Double) throws(LinearAlgebraError) -> RidgeMap {
        let (n, f, d) = (features.rows, features.columns, targets.columns)
        guard targets.rows == n, n > 0, f > 0, d > 0 else {
            throw .shapeMismatch("ridge fit of \(features.shape) features on \(targets.shape) targets")
        }
        var mean = [Double](repeating: 0, count: f)
        var squares = [Double](repeating: 0, count: f)
        for row in 0..<n {
            let values = features.pointer(row: row)
            for column in 0..<f {
                let value = Double(values[column])
                mean[column] += value
                squares[column] += value * value
            }
        }
        var variance = [Double](repeating: 0, count: f)
        for column in 0..<f {
            mean[column] /= Double(n)
            variance[column] = max(0, squares[column] / Double(n) - mean[column] * mean[column])
        }
        // Features that barely vary in the ID data must not be blown up by standardizing: an image
        // (an OOD one above all) that moves them would swing its embedding. So the variance has a floor
        // of 1% of the average feature's.
        let floor = max(variance.reduce(0, +) / Double(f) * 0.01, 1e-12)
        let scale = variance.map { ($0 + floor).squareRoot() }
        var a = [Double](repeating: 0, count: n * f)
        for row in 0..<n {
            let values = features.pointer(row: row)
            for column in 0..<f { a[row * f + column] = (Double(values[column]) - mean[column]) / scale[column] }
        }
        var targetMean = [Double](repeating: 0, count: d)
        for row in 0..<n { for column in 0..<d { targetMean[column] += Double(targets[row, column]) } }
        for column in 0..<d { targetMean[column] /= Double(n) }
        var y = [Double](repeating: 0, count: n * d)
        for row in 0..<n { for column in 0..<d { y[row * d + column] = Double(targets[row, column]) - targetMean[column] } }

        let w: [Double]   // f x d
        if n <= f {
            var gram = try LAPACK.product(a, a, m: n, n: n, k: f, transposeB: true)
            for index in 0..<n { gram[index * n + index] += penalty }
            let dual = try LAPACK.solvePositiveDefinite(gram, n: n, y, columns: d)
            w = try LAPACK.product(a, dual, m: f, n: d, k: n, transposeA: true)
        } else {
            var gram = try LAPACK.product(a, a, m: f, n: f, k: n, transposeA: true)
            for index in 0..<f { gram[index * f + index] += penalty }
            let right = try LAPACK.product(a, y, m: f, n: d, k: n, transposeA: true)
            w = try LAPACK.solvePositiveDefinite(gram, n: f, right, columns: d)
        }

        let weight = Matrix(rows: d, columns: f)
        var bias = targetMean
        for feature in 0..<f {
            for output in 0..<d {
                let coefficient = w[feature * d + output] / scale[feature]
                weight[output, feature] = Float(coefficient)
                bias[output] -= mean[feature] * coefficient
            }
        }
        return try RidgeMap(weight: weight, bias: bias.map { Float($0) })
    }

    /// features · weightᵀ + bias, one row per input row.
    public func apply(_ features: Matrix) throws(LinearAlgebraError) -> Matrix {
        let output = Matrix(rows: features.rows, columns: weight.rows)
        for row in 0..<features.rows { output.pointer(row: row).update(from: bias, count: bias.count) }
        guard features.columns == weight.columns else {
            throw .shapeMismatch("ridge map of \(weight.columns) features given \(features.shape)")
        }
        // An image's embedding does not depend on the batch it came in: each row of a product is the
        // same bits in any batch (GEMMKernel).
        Matrix.gemm(transposeA: false, transposeB: true, m: features.rows, n: weight.rows, k: features.columns,
                    a: features.base, lda: features.columns, b: weight.base, ldb: weight.columns,
                    beta: 1, c: output.base, ldc: output.columns)
        return output
    }
}
