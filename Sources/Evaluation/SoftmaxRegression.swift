import Foundation
import LinearAlgebra

/// A linear probe on frozen embeddings: multinomial logistic regression, trained full-batch by L-BFGS
/// on sklearn's objective, C * sum of cross-entropies + 1/2 ||W||^2 (the intercepts unpenalized), so the
/// same C gives the same probe as `LogisticRegression(C=...)`. With outliers (outlier exposure, Hendrycks
/// et al. 2019), each outlier adds C * lambda * its cross-entropy to the uniform distribution.
public struct SoftmaxRegression: Sendable {
    public let classes: Int
    public let dimension: Int
    /// Row-major, classes x dimension.
    public var weights: [Double]
    public var bias: [Double]
    public var iterations = 0
    public var converged = false

    /// How outliers enter the loss.
    public enum OutlierLoss: Sendable, Equatable {
        /// Cross-entropy of each outlier to the uniform distribution (outlier exposure).
        case uniform
        /// Energy-bounded learning (Liu et al. 2020): squared hinges pushing the free energy
        /// E = -logsumexp(logits) of ID samples below `inMargin` and of outliers above `outMargin`.
        case energyMargin(inMargin: Double, outMargin: Double)
    }

    public struct Options: Sendable {
        public var c = 1.0
        /// Weight of the outlier term.
        public var outlierWeight = 0.5
        public var outlierLoss = OutlierLoss.uniform
        public var optimizer = LBFGS()

        public init() {}
    }

    /// Fits on `features` (rows of `dimension` values) with `labels` in 0..<classes.
    public init(features: [[Double]], labels: [Int], classes: Int, outliers: [[Double]] = [], options: Options = Options()) throws(EvaluationError) {
        guard let dimension = features.first?.count, dimension > 0, classes >= 2 else {
            throw .notEnoughData("a probe needs features and at least 2 classes")
        }
        guard features.count == labels.count, labels.allSatisfy({ (0..<classes).contains($0) }),
              (features + outliers).allSatisfy({ $0.count == dimension }) else {
            throw .notEnoughData("features, labels and outliers do not line up (\(features.count) rows, \(labels.count) labels, \(dimension) values each)")
        }
        self.classes = classes
        self.dimension = dimension
        let x = features.flatMap { $0 }, outlierRows = outliers.flatMap { $0 }
        let (n, d, k) = (features.count, dimension, classes)
        let objective = { (theta: [Double]) throws(EvaluationError) -> (value: Double, gradient: [Double]) in
            let w = Array(theta[0..<(k * d)]), b = Array(theta[(k * d)...])
            var value = 0.0
            var gradW = w, gradB = [Double](repeating: 0, count: k)      // the penalty's gradient is W
            value += 0.5 * LBFGS.dot(w, w)
            // Per row: the loss, and its gradient with respect to the row's logits (the residual),
            // which then gives grad W += R^T X and grad b += column sums of R.
            func add(_ rows: [Double], count: Int, scale: Double,
                     row term: (Int, ArraySlice<Double>, [Double], Double) -> (loss: Double, residual: [Double])) throws(EvaluationError) {
                guard count > 0 else { return }
                var logits = try Self.logits(rows, count: count, w: w, b: b, k: k, d: d)
                for i in 0..<count {
                    let range = (i * k)..<((i + 1) * k)
                    let logSum = DetectorScores.logSumExp(Array(logits[range]))
                    let p = logits[range].map { Foundation.exp($0 - logSum) }
                    let (loss, residual) = term(i, logits[range], p, logSum)
                    value += scale * loss
                    for c in 0..<k {
                        logits[i * k + c] = scale * residual[c]
                        gradB[c] += scale * residual[c]
                    }
                }
                let product: [Double]
                do {
                    product = try LAPACK.product(logits, rows, m: k, n: d, k: count, transposeA: true)
                } catch {
                    throw .notEnoughData("probe gradient: \(error)")
                }
                for i in gradW.indices { gradW[i] += product[i] }
            }
            // Cross-entropy of the ID samples to their labels.
            try add(x, count: n, scale: options.c) { i, z, p, logSum in
                let label = labels[i]
                var residual = p
                residual[label] -= 1
                var loss = logSum - z[z.startIndex + label]
                // Energy-bounded learning also keeps ID energies below the inner margin.
                if case .energyMargin(let inMargin, _) = options.outlierLoss, options.outlierWeight > 0 {
                    let excess = max(0, -logSum - inMargin)
                    loss += options.outlierWeight * excess * excess
                    for c in 0..<k { residual[c] -= options.outlierWeight * 2 * excess * p[c] }
                }
                return (loss, residual)
            }
            try add(outlierRows, count: outliers.count, scale: options.c * options.outlierWeight) { _, z, p, logSum in
                switch options.outlierLoss {
                case .uniform:
                    let mean = z.reduce(0, +) / Double(k)
                    return (logSum - mean, p.map { $0 - 1 / Double(k) })
                case .energyMargin(_, let outMargin):
                    let shortfall = max(0, outMargin + logSum)
                    return (shortfall * shortfall, p.map { 2 * shortfall * $0 })
                }
            }
            return (value, gradW + gradB)
        }
        let result: LBFGS.Result
        do {
            result = try options.optimizer.minimize(from: [Double](repeating: 0, count: k * d + k), objective)
        } catch let error as EvaluationError {
            throw error
        } catch {
            throw .notEnoughData("probe training: \(error)")
        }
        weights = Array(result.x[0..<(k * d)])
        bias = Array(result.x[(k * d)...])
        iterations = result.iterations
        converged = result.converged
    }

    /// Logits (rows x classes) of `features`.
    public func logits(_ features: [[Double]]) throws(EvaluationError) -> [[Double]] {
        let flat = try Self.logits(features.flatMap { $0 }, count: features.count, w: weights, b: bias, k: classes, d: dimension)
        return (0..<features.count).map { Array(flat[($0 * classes)..<(($0 + 1) * classes)]) }
    }

    static func logits(_ x: [Double], count: Int, w: [Double], b: [Double], k: Int, d: Int) throws(EvaluationError) -> [Double] {
        var out: [Double]
        do {
            out = try LAPACK.product(x, w, m: count, n: k, k: d, transposeB: true)
        } catch {
            throw .notEnoughData("probe logits: \(error)")
        }
        for i in 0..<count { for c in 0..<k { out[i * k + c] += b[c] } }
        return out
    }
}
