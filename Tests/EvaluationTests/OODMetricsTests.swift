import Foundation
import Workers
import Testing
@testable import Evaluation
import TestVenv

/// The metrics against scikit-learn on the same scores (Tests/interop/sklearn_metrics.py), ties included.
@Suite struct OODMetricsTests {
    struct Case: Decodable {
        var name: String
        var id: [Double]
        var ood: [Double]
        var auroc: Double
        var fpr95: Double
        var auprIn: Double
        var auprOut: Double

        enum CodingKeys: String, CodingKey {
            case name, id, ood, auroc, fpr95, auprIn = "aupr_in", auprOut = "aupr_out"
        }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func goldens() throws -> [Case] {
        let run = try ChildProcess.run("/usr/bin/env", ["python3", "Tests/interop/sklearn_metrics.py"],
                                       environment: Venv.environment, directory: repository.path, stderr: .inherit)
        guard run.status == 0 else { throw CocoaError(.executableLoad) }
        return try JSONDecoder().decode([Case].self, from: run.stdout)
    }

    @Test func matchesScikitLearn() throws {
        let cases = try Self.goldens()
        #expect(cases.count == 7)
        for golden in cases {
            let ours = try OODMetrics(id: golden.id, ood: golden.ood)
            for (name, a, b) in [("AUROC", ours.auroc, golden.auroc), ("FPR95", ours.fpr95, golden.fpr95),
                                 ("AUPR-In", ours.auprIn, golden.auprIn), ("AUPR-Out", ours.auprOut, golden.auprOut)] {
                #expect(abs(a - b) < 1e-12, "\(golden.name) \(name): ours \(a), sklearn \(b)")
            }
        }
    }

    @Test func worksOutByHand() throws {
        // ID 3, 2; OOD 2, 1: one ID-OOD tie counts one half, so AUROC = (1 + 1 + 0.5 + 1) / 4.
        let metrics = try OODMetrics(id: [3, 2], ood: [2, 1])
        #expect(metrics.auroc == 0.875)
        #expect(metrics.fpr95 == 0.5)
        #expect(try OODMetrics(id: [1, 2], ood: [-1, 0]).auroc == 1)
        #expect(throws: EvaluationError.self) { try OODMetrics(id: [], ood: [1]) }
        #expect(throws: EvaluationError.self) { try OODMetrics(id: [.nan], ood: [1]) }
    }
}
