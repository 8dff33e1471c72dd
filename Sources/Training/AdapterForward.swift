import LinearAlgebra

/// a(x) = normalize(x + W2 · relu(W1 · x + b1)) for a batch of rows, keeping what the backward pass needs.
struct AdapterForward {
    let preActivation: Matrix   // W1 · x + b1          [B, h]
    let hidden: Matrix          // relu of it           [B, h]
    let norms: [Float]          // |x + W2 · hidden|    [B]
    let output: Matrix          // a(x)                 [B, d]

    init(_ parameters: AdapterParameters, _ input: Matrix) {
        let (rows, d, h) = (input.rows, parameters.dimension, parameters.hidden)
        let preActivation = Matrix(rows: rows, columns: h)
        for row in 0..<rows { preActivation.pointer(row: row).update(from: parameters.b1.base, count: h) }
        Matrix.gemm(transposeA: false, transposeB: true, m: rows, n: h, k: d, a: input.base, lda: d,
                    b: parameters.w1.base, ldb: d, beta: 1, c: preActivation.base, ldc: h)
        let hidden = Matrix(rows: rows, columns: h)
        for index in 0..<hidden.count { hidden.base[index] = max(preActivation.base[index], 0) }
        // u = x + hidden · W2ᵀ, then each row scaled to unit length.
        let output = input.copy()
        Matrix.gemm(transposeA: false, transposeB: true, m: rows, n: d, k: h, a: hidden.base, lda: h,
                    b: parameters.w2.base, ldb: h, beta: 1, c: output.base, ldc: d)
        var norms = [Float](repeating: 0, count: rows)
        for row in 0..<rows {
            let u = output.pointer(row: row)
            var squares: Float = 0
            for column in 0..<d { squares += u[column] * u[column] }
            let norm = max(squares.squareRoot(), 1e-12)
            norms[row] = norm
            for column in 0..<d { u[column] /= norm }
        }
        (self.preActivation, self.hidden, self.norms, self.output) = (preActivation, hidden, norms, output)
    }

    /// Adds the gradients of W1, b1 and W2 given dL/da (`dOutput`, overwritten as scratch).
    func backward(_ dOutput: Matrix, parameters: AdapterParameters, input: Matrix, w1: Matrix, b1: Matrix, w2: Matrix) {
        let (rows, d, h) = (input.rows, parameters.dimension, parameters.hidden)
        w1.fill(0)
        b1.fill(0)
        w2.fill(0)
        guard rows > 0 else { return }
        // du = (da - a (a·da)) / |u|, in place.
        for row in 0..<rows {
            let a = output.pointer(row: row), g = dOutput.pointer(row: row)
            var along: Float = 0
            for column in 0..<d { along += a[column] * g[column] }
            for column in 0..<d { g[column] = (g[column] - a[column] * along) / norms[row] }
        }
        // dW2 = duᵀ · hidden; dhidden = du · W2, masked where the pre-activation was not positive.
        Matrix.gemm(transposeA: true, transposeB: false, m: d, n: h, k: rows, a: dOutput.base, lda: d,
                    b: hidden.base, ldb: h, c: w2.base, ldc: h)
        let dHidden = Matrix(rows: rows, columns: h)
        Matrix.gemm(transposeA: false, transposeB: false, m: rows, n: h, k: d, a: dOutput.base, lda: d,
                    b: parameters.w2.base, ldb: h, c: dHidden.base, ldc: h)
        for index in 0..<dHidden.count where preActivation.base[index] <= 0 { dHidden.base[index] = 0 }
        // dW1 = dpreᵀ · x; db1 = the column sums of dpre, in row order.
        Matrix.gemm(transposeA: true, transposeB: false, m: h, n: d, k: rows, a: dHidden.base, lda: h,
                    b: input.base, ldb: d, c: w1.base, ldc: d)
        for row in 0..<rows {
            let g = dHidden.pointer(row: row)
            for column in 0..<h { b1.base[column] += g[column] }
        }
    }
}
