import LinearAlgebra

/// The rows [P; N] of the parameters, each scaled to unit length: the cosine classifier's weights.
struct PrototypeSet {
    let normalized: Matrix
    let norms: [Float]

    init(_ parameters: AdapterParameters) {
        let (c, k, d) = (parameters.classes, parameters.negativeCount, parameters.dimension)
        let normalized = Matrix(rows: c + k, columns: d)
        var norms = [Float](repeating: 0, count: c + k)
        for row in 0..<(c + k) {
            let source = row < c ? parameters.prototypes.pointer(row: row) : parameters.negatives.pointer(row: row - c)
            let target = normalized.pointer(row: row)
            var squares: Float = 0
            for column in 0..<d { squares += source[column] * source[column] }
            // A zero row stays zero rather than dividing by zero; training never drives a row there.
            let norm = max(squares.squareRoot(), 1e-12)
            norms[row] = norm
            for column in 0..<d { target[column] = source[column] / norm }
        }
        (self.normalized, self.norms) = (normalized, norms)
    }

    /// From dL/d(normalized rows) to dL/dP and dL/dN (overwritten): (g - q (q·g)) / |row|.
    func backward(_ dNormalized: Matrix, prototypes: Matrix, negatives: Matrix) {
        let d = normalized.columns
        for row in 0..<normalized.rows {
            let q = normalized.pointer(row: row), g = dNormalized.pointer(row: row)
            let target = row < prototypes.rows ? prototypes.pointer(row: row) : negatives.pointer(row: row - prototypes.rows)
            var along: Float = 0
            for column in 0..<d { along += q[column] * g[column] }
            for column in 0..<d { target[column] = (g[column] - q[column] * along) / norms[row] }
        }
    }

    /// The mean over pairs of negatives of relu(cosine), with what its gradient needs.
    func diversity(negativesFrom first: Int) -> Diversity {
        let (k, d) = (normalized.rows - first, normalized.columns)
        guard k >= 2 else { return Diversity(loss: 0, cosines: Matrix(rows: 0, columns: 0), pairs: 0, normalized: normalized) }
        let cosines = Matrix(rows: k, columns: k)
        let negatives = normalized.pointer(row: first)
        // Only the upper triangle is read: half the product.
        Matrix.symmetricRankK(n: k, k: d, a: negatives, lda: d, c: cosines.base, ldc: k)
        var sum = 0.0
        for p in 0..<k {
            let row = cosines.pointer(row: p)
            for q in (p + 1)..<k where row[q] > 0 { sum += Double(row[q]) }
        }
        let pairs = k * (k - 1) / 2
        return Diversity(loss: sum / Double(pairs), cosines: cosines, pairs: pairs, normalized: normalized)
    }

    struct Diversity {
        let loss: Double
        let cosines: Matrix
        let pairs: Int
        /// [P; N] normalized: the negatives are its rows from `first` on.
        let normalized: Matrix

        /// Adds weight · dL_div/d(normalized negatives) to the negatives' rows of `dNormalized`: for
        /// each pair with a positive cosine, each row gets the other row over the pair count. Turns
        /// `cosines` into that symmetric mask in place, so it is called once, after `loss` was read.
        func addGradient(weight: Float, into dNormalized: Matrix, negativesFrom first: Int) {
            guard pairs > 0 else { return }
            let k = cosines.rows
            let mask = cosines.base
            let value = weight / Float(pairs)
            // Each upper entry is read before it is written; lower entries are only written.
            for p in 0..<k {
                mask[p * k + p] = 0
                for q in (p + 1)..<k {
                    let entry: Float = mask[p * k + q] > 0 ? value : 0
                    mask[p * k + q] = entry
                    mask[q * k + p] = entry
                }
            }
            let d = dNormalized.columns
            Matrix.gemm(transposeA: false, transposeB: false, m: k, n: d, k: k, a: mask, lda: k,
                        b: normalized.pointer(row: first), ldb: d, beta: 1, c: dNormalized.pointer(row: first), ldc: d)
        }
    }
}
