import Foundation
import Workers
import Testing
@testable import Evaluation
import TestVenv

/// The probe against scikit-learn's LogisticRegression, and with outlier exposure against scipy's
/// L-BFGS-B on the same objective (Tests/interop/probe_peer.py).
@Suite struct SoftmaxRegressionTests {
    struct Fit: Decodable {
        var coef: [[Double]]
        var intercept: [Double]
        var proba: [[Double]]
    }

    struct Golden: Decodable {
        var features: [[Double]]
        var labels: [Int]
        var classes: Int
        var c: Double
        var outliers: [[Double]]
        var outlierWeight: Double
        var sklearn: Fit
        var oe: Fit
        var energy: Fit
        var margins: [Double]

        enum CodingKeys: String, CodingKey {
            case features, labels, classes, c, outliers, outlierWeight = "outlier_weight", sklearn, oe, energy, margins
        }
    }

    static let golden: Result<Golden, Error> = Result {
        let run = try ChildProcess.run("/usr/bin/env", ["python3", "Tests/interop/probe_peer.py"],
                                       environment: Venv.environment, directory: OODMetricsTests.repository.path,
                                       stderr: .inherit)
        return try JSONDecoder().decode(Golden.self, from: run.stdout)
    }

    func check(_ probe: SoftmaxRegression, against fit: Fit, features: [[Double]], name: String) throws {
        #expect(probe.converged, "\(name): not converged in \(probe.iterations) iterations")
        let logits = try probe.logits(features)
        var worstP = 0.0, worstW = 0.0
        for (row, expected) in zip(logits, fit.proba) {
            let top = row.max()!
            let sum = row.reduce(0) { $0 + exp($1 - top) }
            for (l, p) in zip(row, expected) { worstP = max(worstP, abs(exp(l - top) / sum - p)) }
        }
        for c in 0..<probe.classes {
            for j in 0..<probe.dimension { worstW = max(worstW, abs(probe.weights[c * probe.dimension + j] - fit.coef[c][j])) }
        }
        #expect(worstP < 1e-6, "\(name): probabilities differ by \(worstP)")
        #expect(worstW < 1e-5, "\(name): weights differ by \(worstW)")
    }

    @Test func matchesScikitLearnsLogisticRegression() throws {
        let g = try Self.golden.get()
        var options = SoftmaxRegression.Options()
        options.c = g.c
        options.optimizer.tolerance = 1e-9
        let probe = try SoftmaxRegression(features: g.features, labels: g.labels, classes: g.classes, options: options)
        try check(probe, against: g.sklearn, features: g.features, name: "plain")
    }

    @Test func outlierExposureMatchesScipyOnTheSameObjective() throws {
        let g = try Self.golden.get()
        var options = SoftmaxRegression.Options()
        options.c = g.c
        options.outlierWeight = g.outlierWeight
        // Summed over 190 rows the loss is ~100, so 1e-9 of gradient is below its rounding noise.
        options.optimizer.tolerance = 1e-7
        let probe = try SoftmaxRegression(features: g.features, labels: g.labels, classes: g.classes, outliers: g.outliers, options: options)
        try check(probe, against: g.oe, features: g.features, name: "outlier exposure")
        // Trained to be unsure on outliers: their max softmax falls against the plain probe's.
        var plainOptions = options
        plainOptions.outlierWeight = 0
        let plain = try SoftmaxRegression(features: g.features, labels: g.labels, classes: g.classes, options: plainOptions)
        func meanMaxSoftmax(_ probe: SoftmaxRegression) throws -> Double {
            let logits = try probe.logits(g.outliers)
            return logits.map { row in
                let top = row.max()!
                return 1 / row.reduce(0) { $0 + exp($1 - top) }
            }.reduce(0, +) / Double(logits.count)
        }
        #expect(try meanMaxSoftmax(probe) < meanMaxSoftmax(plain))
    }

    @Test func energyMarginMatchesScipyOnTheSameObjective() throws {
        let g = try Self.golden.get()
        var options = SoftmaxRegression.Options()
        options.c = g.c
        options.outlierWeight = g.outlierWeight
        options.outlierLoss = .energyMargin(inMargin: g.margins[0], outMargin: g.margins[1])
        options.optimizer.tolerance = 1e-7
        let probe = try SoftmaxRegression(features: g.features, labels: g.labels, classes: g.classes, outliers: g.outliers, options: options)
        try check(probe, against: g.energy, features: g.features, name: "energy margin")
    }

    @Test func deterministicAndRefusesBadInput() throws {
        let g = try Self.golden.get()
        let a = try SoftmaxRegression(features: g.features, labels: g.labels, classes: g.classes)
        let b = try SoftmaxRegression(features: g.features, labels: g.labels, classes: g.classes)
        #expect(a.weights == b.weights && a.bias == b.bias)
        #expect(throws: EvaluationError.self) { try SoftmaxRegression(features: [[1, 2]], labels: [5], classes: 3) }
        #expect(throws: EvaluationError.self) { try SoftmaxRegression(features: [], labels: [], classes: 3) }
    }
}
