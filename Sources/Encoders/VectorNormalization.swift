import LinearAlgebra

enum VectorNormalization {
    /// The rows of `matrix`, each scaled to unit length (a zero row stays zero).
    static func unitRows(_ matrix: Matrix) -> [[Float]] {
        matrix.rowArrays.map { row in
            var sum: Float = 0
            for value in row { sum += value * value }
            guard sum > 0 else { return row }
            let scale = 1 / sum.squareRoot()
            return row.map { $0 * scale }
        }
    }
}
