import Foundation
import LinearAlgebra

/// The training loss of the adapter and its exact gradient (the recipe in README, "train"):
///
///     L = L_id + λ (w_syn L_syn + w_gap L_gap) + w_div L_div + w_anchor L_anchor
///
/// - L_id: cross-entropy of ID images to their class over all C + K logits z = s · a(x) · normalize([P; N])ᵀ;
/// - L_syn: cross-entropy of synthetic images (through the adapter) and of their captions (not) to
///   their target negative;
/// - L_gap: -log of the negatives' share of the softmax for gap vectors (virtual outliers);
/// - L_div: mean over pairs of negatives of relu(cosine), so they spread out;
/// - L_anchor: mean squared distance of P and N rows from their initial, semantic values.
///
/// Tests/interop/adapter_objective.py computes the same loss with PyTorch autograd.
public struct AdapterObjective {
    public struct Weights: Sendable, Equatable, Codable {
        public var scale: Float
        /// λ: the weight of everything learned from the synthetic set (0 trains on ID alone).
        public var outlier: Float
        public var synthetic: Float = 0.5
        public var gap: Float = 0.1
        public var diversity: Float = 0.2
        public var anchor: Float = 1

        public init(scale: Float, outlier: Float) {
            (self.scale, self.outlier) = (scale, outlier)
        }
    }

    /// The unweighted terms and the weighted total of one evaluation.
    public struct Terms: Sendable, Equatable {
        public var id = 0.0, synthetic = 0.0, gap = 0.0, diversity = 0.0, anchor = 0.0, total = 0.0
    }

    public let initialPrototypes: Matrix
    public let initialNegatives: Matrix
    public var weights: Weights

    public init(initialPrototypes: Matrix, initialNegatives: Matrix, weights: Weights) {
        (self.initialPrototypes, self.initialNegatives, self.weights) = (initialPrototypes, initialNegatives, weights)
    }

    /// The loss at `parameters` on `batch`; with `gradient`, its gradient is written there (every
    /// tensor overwritten).
    public func evaluate(_ parameters: AdapterParameters, on batch: TrainingBatch, gradient: AdapterParameters? = nil) -> Terms {
        let (c, k, d) = (parameters.classes, parameters.negativeCount, parameters.dimension)
        let m = c + k
        let s = weights.scale
        let lambda = weights.outlier
        var terms = Terms()

        let prototypes = PrototypeSet(parameters)
        // Every image-like row goes through the adapter once: ID, then synthetic, then gaps.
        let (nID, nSyn, nGap) = (batch.idImages.rows, batch.syntheticImages.rows, batch.gaps.rows)
        let images = Matrix(rows: nID + nSyn + nGap, columns: d)
        for (offset, part) in [(0, batch.idImages), (nID, batch.syntheticImages), (nID + nSyn, batch.gaps)] where part.rows > 0 {
            images.pointer(row: offset).update(from: part.base, count: part.count)
        }
        let adapted = AdapterForward(parameters, images)
        let logits = Matrix(rows: images.rows, columns: m)
        Matrix.gemm(transposeA: false, transposeB: true, m: images.rows, n: m, k: d, alpha: s, a: adapted.output.base, lda: d,
                    b: prototypes.normalized.base, ldb: d, c: logits.base, ldc: m)
        let captions = batch.syntheticCaptions
        let captionLogits = Matrix(rows: captions.rows, columns: m)
        Matrix.gemm(transposeA: false, transposeB: true, m: captions.rows, n: m, k: d, alpha: s, a: captions.base, lda: d,
                    b: prototypes.normalized.base, ldb: d, c: captionLogits.base, ldc: m)

        // Each loss writes its gradient with respect to the logits into the logit rows (in place).
        let wantGradient = gradient != nil
        // Per-row losses are summed in row order, so the loss is the same bits on any core count.
        terms.id = LogitLoss.crossEntropy(logits, rows: 0..<nID, targets: batch.idLabels,
                                          gradientScale: wantGradient ? 1 / Float(nID) : nil).reduce(0, +) / Double(max(nID, 1))
        let synScale: Float? = wantGradient ? lambda * weights.synthetic / Float(nSyn) : nil
        let synImages = LogitLoss.crossEntropy(logits, rows: nID..<(nID + nSyn), targets: batch.syntheticTargets, gradientScale: synScale)
        let synCaptions = LogitLoss.crossEntropy(captionLogits, rows: 0..<nSyn, targets: batch.syntheticTargets, gradientScale: synScale)
        terms.synthetic = (synImages.reduce(0, +) + synCaptions.reduce(0, +)) / Double(max(nSyn, 1))
        terms.gap = LogitLoss.negativeMass(logits, rows: (nID + nSyn)..<images.rows, firstNegative: c,
                                           gradientScale: wantGradient ? lambda * weights.gap / Float(nGap) : nil).reduce(0, +) / Double(max(nGap, 1))
        let diversity = prototypes.diversity(negativesFrom: c)
        terms.diversity = diversity.loss
        terms.anchor = Self.anchor(parameters.prototypes, initialPrototypes) + Self.anchor(parameters.negatives, initialNegatives)
        terms.total = terms.id + Double(lambda) * (Double(weights.synthetic) * terms.synthetic + Double(weights.gap) * terms.gap)
            + Double(weights.diversity) * terms.diversity + Double(weights.anchor) * terms.anchor

        guard let gradient else { return terms }
        // dL/dQn = s · (dZᵀ · A + dZtᵀ · T) + the diversity term; then through the row normalisation.
        let dNormalized = Matrix(rows: m, columns: d)
        Matrix.gemm(transposeA: true, transposeB: false, m: m, n: d, k: images.rows, alpha: s, a: logits.base, lda: m,
                    b: adapted.output.base, ldb: d, c: dNormalized.base, ldc: d)
        Matrix.gemm(transposeA: true, transposeB: false, m: m, n: d, k: captions.rows, alpha: s, a: captionLogits.base, lda: m,
                    b: captions.base, ldb: d, beta: 1, c: dNormalized.base, ldc: d)
        diversity.addGradient(weight: weights.diversity, into: dNormalized, negativesFrom: c)
        prototypes.backward(dNormalized, prototypes: gradient.prototypes, negatives: gradient.negatives)
        Self.addAnchorGradient(parameters.prototypes, initialPrototypes, weight: weights.anchor, into: gradient.prototypes)
        Self.addAnchorGradient(parameters.negatives, initialNegatives, weight: weights.anchor, into: gradient.negatives)
        // dL/dA = s · dZ · Qn, then back through the adapter.
        let dAdapted = Matrix(rows: images.rows, columns: d)
        Matrix.gemm(transposeA: false, transposeB: false, m: images.rows, n: d, k: m, alpha: s, a: logits.base, lda: m,
                    b: prototypes.normalized.base, ldb: d, c: dAdapted.base, ldc: d)
        adapted.backward(dAdapted, parameters: parameters, input: images, w1: gradient.w1, b1: gradient.b1, w2: gradient.w2)
        return terms
    }

    /// Mean over rows of the squared distance to the initial rows.
    static func anchor(_ current: Matrix, _ initial: Matrix) -> Double {
        guard current.rows > 0 else { return 0 }
        var sum = 0.0
        for index in 0..<current.count {
            let delta = Double(current.base[index] - initial.base[index])
            sum += delta * delta
        }
        return sum / Double(current.rows)
    }

    static func addAnchorGradient(_ current: Matrix, _ initial: Matrix, weight: Float, into gradient: Matrix) {
        guard current.rows > 0 else { return }
        let factor = 2 * weight / Float(current.rows)
        for index in 0..<current.count { gradient.base[index] += factor * (current.base[index] - initial.base[index]) }
    }
}
