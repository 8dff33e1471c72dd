import Foundation
import LinearAlgebra

/// A trained adapter applied to image embeddings: class logits over the learned prototypes and the
/// ID score, the ID classes' share of the softmax over [P; N] (NegLabel's score). The same
/// arithmetic as `scripts/oodsynth_adapter.py`.
public struct OODAdapter {
    public let parameters: AdapterParameters
    public let scale: Float

    public init(parameters: AdapterParameters, scale: Float) {
        (self.parameters, self.scale) = (parameters, scale)
    }

    public struct Scores: Sendable, Equatable {
        /// s · cosine of the adapted image to each ID prototype, [n][C].
        public var classLogits: [[Float]]
        /// The ID classes' share of the joint softmax: higher is more in-distribution.
        public var idScores: [Double]
        /// The most likely class and its probability in the softmax over the ID classes alone.
        public var classes: [Int]
        public var classProbabilities: [Double]
    }

    /// Scores of unit image embeddings (`images`, one per row).
    public func scores(_ images: Matrix) throws(TrainingError) -> Scores {
        guard images.columns == parameters.dimension else {
            throw .badInput("embeddings have \(images.columns) dimensions, the adapter \(parameters.dimension)")
        }
        let (c, m, d) = (parameters.classes, parameters.classes + parameters.negativeCount, parameters.dimension)
        let adapted = AdapterForward(parameters, images)
        let prototypes = PrototypeSet(parameters)
        let logits = Matrix(rows: images.rows, columns: m)
        Matrix.gemm(transposeA: false, transposeB: true, m: images.rows, n: m, k: d, alpha: scale, a: adapted.output.base, lda: d,
                    b: prototypes.normalized.base, ldb: d, c: logits.base, ldc: m)
        var result = Scores(classLogits: [], idScores: [], classes: [], classProbabilities: [])
        for row in 0..<images.rows {
            let z = logits.pointer(row: row)
            let all = LogitLoss.logSumExp(z, 0..<m), known = LogitLoss.logSumExp(z, 0..<c)
            var best = 0
            for j in 1..<c where z[j] > z[best] { best = j }
            result.classLogits.append(Array(UnsafeBufferPointer(start: z, count: c)))
            result.idScores.append(exp(known - all))
            result.classes.append(best)
            result.classProbabilities.append(exp(Double(z[best]) - known))
        }
        return result
    }

    /// MCM over the learned ID prototypes alone (no negatives, no adapter): the maximum softmax of
    /// cosine similarities at temperature 1, as MCM is defined.
    public func prototypeMCM(_ images: Matrix) -> [Double] {
        let (c, d) = (parameters.classes, parameters.dimension)
        let prototypes = PrototypeSet(parameters)
        let cosines = Matrix(rows: images.rows, columns: c)
        Matrix.gemm(transposeA: false, transposeB: true, m: images.rows, n: c, k: d, a: images.base, lda: d,
                    b: prototypes.normalized.base, ldb: d, c: cosines.base, ldc: c)
        return (0..<images.rows).map { row in
            let z = cosines.pointer(row: row)
            var best = z[0]
            for j in 1..<c { best = max(best, z[j]) }
            return exp(Double(best) - LogitLoss.logSumExp(z, 0..<c))
        }
    }
}
