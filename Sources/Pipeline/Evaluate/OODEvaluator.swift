import Evaluation
import Foundation
import LinearAlgebra
import Training

/// Runs the detectors on frozen embeddings and scores them on ID-test vs OOD-test: the baselines
/// (MCM, kNN, a linear probe's MSP and energy), and for every synthetic set the probe trained with
/// outlier exposure (MSP, energy), the energy-bounded probe, and a binary ID-vs-synthetic head.
public struct OODEvaluator {
    public struct Options: Sendable {
        public var k = 50
        public var c = 1.0
        public var outlierWeight = 0.5
        /// Energy margins (in, out); nil: the median free energy of the plain probe on ID-train, and
        /// that plus 2.
        public var energyMargins: (Double, Double)?
        public var temperature = 1.0

        public init() {}
    }

    public struct Report: Sendable, Encodable {
        public var rows: [EvaluationRow]
        public var bestBaseline: String?
        public var bestSynthetic: String?
        public var aurocGain: Double?
        /// The ROC curve of each row, in row order (for the HTML report).
        public var curves: [[(fpr: Double, tpr: Double)]] = []
        /// For each synthetic set (by name): its sample indices, most ID-like first by the best
        /// baseline's score, with that score: the outliers the baseline cannot tell from ID.
        public var hardest: [String: [(index: Int, score: Double)]] = [:]

        enum CodingKeys: String, CodingKey {
            case rows, bestBaseline = "best_baseline", bestSynthetic = "best_synthetic", aurocGain = "auroc_gain"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rows, forKey: .rows)
            try c.encode(bestBaseline, forKey: .bestBaseline)
            try c.encode(bestSynthetic, forKey: .bestSynthetic)
            try c.encode(aurocGain.map { ($0 * 100).rounded() / 100 }, forKey: .aurocGain)
        }

        /// The table as Markdown.
        public var markdown: String {
            var lines = ["| detector | synthetic | AUROC | FPR95 | AUPR-In | AUPR-Out | ID acc. |", "|---|---|---:|---:|---:|---:|---:|"]
            for row in rows {
                let cells = [row.auroc, row.fpr95, row.auprIn, row.auprOut].map { String(format: "%.2f", $0) }
                lines.append("| \(row.detector) | \(row.syntheticSet ?? "-") | " + cells.joined(separator: " | ")
                             + " | " + (row.idAccuracy.map { String(format: "%.2f", $0) } ?? "-") + " |")
            }
            if let bestBaseline, let bestSynthetic, let aurocGain {
                lines.append("")
                lines.append(String(format: "best baseline: %@; best with synthetic data: %@; AUROC gain %+.2f points", bestBaseline, bestSynthetic, aurocGain))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// `prompts`: unit text embeddings of the class prompts, indexed like `classNames`.
    /// `adapters`: trained adapters (named by their folder) whose rows join the table beside the
    /// synthetic-set detectors: their ID score, and MCM over their learned prototypes.
    public func evaluate(idTrain: EmbeddedSet, idTest: EmbeddedSet, oodTest: EmbeddedSet, synthetic: [EmbeddedSet],
                         classNames: [String], prompts: [[Float]], adapters: [(name: String, adapter: OODAdapter)] = []) throws -> Report {
        let classIndex = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        let trainLabels = try idTrain.labels.map { label throws -> Int in
            guard let label, let index = classIndex[label] else {
                throw EvaluationError.notEnoughData("every ID-train sample needs a class (\(idTrain.name))")
            }
            return index
        }
        let testLabels = idTest.labels.map { $0.flatMap { classIndex[$0] } }
        func accuracy(_ predictions: [Int]) -> Double? {
            let known = zip(predictions, testLabels).compactMap { p, l in l.map { p == $0 } }
            return known.isEmpty ? nil : Double(known.filter { $0 }.count) / Double(known.count)
        }
        var rows: [EvaluationRow] = []
        var curves: [[(fpr: Double, tpr: Double)]] = []
        func add(_ detector: String, _ set: String?, id: [Double], ood: [Double], accuracy: Double?) throws {
            rows.append(EvaluationRow(detector: detector, syntheticSet: set, metrics: try OODMetrics(id: id, ood: ood), idAccuracy: accuracy))
            curves.append(OODMetrics.roc(id: id, ood: ood))
        }
        // Each baseline's scores of every synthetic set, to find the samples it finds most ID-like.
        var baselineOnSynthetic: [[[Double]]] = []

        // Baselines.
        let mcmID = DetectorScores.mcm(images: idTest.embeddings, prompts: prompts, temperature: options.temperature)
        let mcmOOD = DetectorScores.mcm(images: oodTest.embeddings, prompts: prompts, temperature: options.temperature)
        try add("MCM", nil, id: mcmID.scores, ood: mcmOOD.scores, accuracy: accuracy(mcmID.predictions))
        baselineOnSynthetic.append(synthetic.map { DetectorScores.mcm(images: $0.embeddings, prompts: prompts, temperature: options.temperature).scores })
        let k = max(1, min(options.k, idTrain.embeddings.count - 1))
        try add("kNN (k=\(k))", nil, id: try DetectorScores.knn(train: idTrain.embeddings, test: idTest.embeddings, k: k),
                ood: try DetectorScores.knn(train: idTrain.embeddings, test: oodTest.embeddings, k: k), accuracy: nil)
        baselineOnSynthetic.append(try synthetic.map { try DetectorScores.knn(train: idTrain.embeddings, test: $0.embeddings, k: k) })
        let train = idTrain.embeddings.map { $0.map(Double.init) }
        let test = idTest.embeddings.map { $0.map(Double.init) }, ood = oodTest.embeddings.map { $0.map(Double.init) }
        var probeOptions = SoftmaxRegression.Options()
        probeOptions.c = options.c
        let probe = try SoftmaxRegression(features: train, labels: trainLabels, classes: classNames.count, options: probeOptions)
        let (probeID, probeOOD) = (try probe.logits(test), try probe.logits(ood))
        let probeAccuracy = accuracy(probeID.map(Self.argmax))
        try add("probe MSP", nil, id: DetectorScores.msp(probeID), ood: DetectorScores.msp(probeOOD), accuracy: probeAccuracy)
        try add("probe energy", nil, id: DetectorScores.energy(probeID), ood: DetectorScores.energy(probeOOD), accuracy: probeAccuracy)
        let probeSynthetic = try synthetic.map { try probe.logits($0.embeddings.map { $0.map(Double.init) }) }
        baselineOnSynthetic.append(probeSynthetic.map(DetectorScores.msp))
        baselineOnSynthetic.append(probeSynthetic.map(DetectorScores.energy))

        // With each synthetic set.
        let trainEnergies = DetectorScores.energy(try probe.logits(train)).map { -$0 }.sorted()
        let margins = options.energyMargins ?? (trainEnergies[trainEnergies.count / 2], trainEnergies[trainEnergies.count / 2] + 2)
        for set in synthetic {
            let outliers = set.embeddings.map { $0.map(Double.init) }
            var oe = probeOptions
            oe.outlierWeight = options.outlierWeight
            let exposed = try SoftmaxRegression(features: train, labels: trainLabels, classes: classNames.count, outliers: outliers, options: oe)
            let (oeID, oeOOD) = (try exposed.logits(test), try exposed.logits(ood))
            let oeAccuracy = accuracy(oeID.map(Self.argmax))
            try add("probe + OE, MSP", set.name, id: DetectorScores.msp(oeID), ood: DetectorScores.msp(oeOOD), accuracy: oeAccuracy)
            try add("probe + OE, energy", set.name, id: DetectorScores.energy(oeID), ood: DetectorScores.energy(oeOOD), accuracy: oeAccuracy)
            var bounded = oe
            bounded.outlierLoss = .energyMargin(inMargin: margins.0, outMargin: margins.1)
            let energyProbe = try SoftmaxRegression(features: train, labels: trainLabels, classes: classNames.count, outliers: outliers, options: bounded)
            let (ebID, ebOOD) = (try energyProbe.logits(test), try energyProbe.logits(ood))
            try add("probe + energy margin", set.name, id: DetectorScores.energy(ebID), ood: DetectorScores.energy(ebOOD),
                    accuracy: accuracy(ebID.map(Self.argmax)))
            let head = try SoftmaxRegression(features: train + outliers, labels: Array(repeating: 0, count: train.count) + Array(repeating: 1, count: outliers.count),
                                             classes: 2, options: probeOptions)
            let margin = { (logits: [[Double]]) in logits.map { $0[0] - $0[1] } }
            try add("ID-vs-synthetic head", set.name, id: margin(try head.logits(test)), ood: margin(try head.logits(ood)), accuracy: nil)
        }
        for (name, adapter) in adapters {
            let (testMatrix, oodMatrix) = (try Self.matrix(idTest.embeddings), try Self.matrix(oodTest.embeddings))
            let (id, out) = (try adapter.scores(testMatrix), try adapter.scores(oodMatrix))
            try add("adapter ID score", name, id: id.idScores, ood: out.idScores, accuracy: accuracy(id.classes))
            try add("adapter MCM (learned P)", name, id: adapter.prototypeMCM(testMatrix), ood: adapter.prototypeMCM(oodMatrix),
                    accuracy: accuracy(id.classes))
        }
        let baselineRows = rows.indices.filter { rows[$0].syntheticSet == nil }
        let best = baselineRows.max { rows[$0].auroc < rows[$1].auroc }
        let bestBaseline = best.map { rows[$0] }
        let bestSynthetic = rows.filter { $0.syntheticSet != nil }.max { $0.auroc < $1.auroc }
        var report = Report(rows: rows, bestBaseline: bestBaseline?.detector,
                            bestSynthetic: bestSynthetic.map { "\($0.detector) (\($0.syntheticSet ?? ""))" },
                            aurocGain: bestSynthetic.flatMap { s in bestBaseline.map { s.auroc - $0.auroc } })
        report.curves = curves
        if let best, let position = baselineRows.firstIndex(of: best) {
            for (setIndex, set) in synthetic.enumerated() {
                let scores = baselineOnSynthetic[position][setIndex]
                report.hardest[set.name] = scores.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }.map { ($0, scores[$0]) }
            }
        }
        return report
    }

    static func matrix(_ rows: [[Float]]) throws -> Matrix {
        try Matrix(rows: rows.count, columns: rows.first?.count ?? 0, values: rows.flatMap { $0 })
    }

    static func argmax(_ row: [Double]) -> Int {
        row.indices.max { row[$0] < row[$1] } ?? 0
    }
}
