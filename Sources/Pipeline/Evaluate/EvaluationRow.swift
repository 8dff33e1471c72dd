import Evaluation

/// One line of the evaluation table: a detector, the synthetic set it was trained with (nil for a
/// baseline), its metrics in percent, and the ID classification accuracy where it classifies.
public struct EvaluationRow: Sendable, Encodable {
    public var detector: String
    public var syntheticSet: String?
    public var auroc: Double
    public var fpr95: Double
    public var auprIn: Double
    public var auprOut: Double
    public var idAccuracy: Double?

    public init(detector: String, syntheticSet: String?, metrics: OODMetrics, idAccuracy: Double?) {
        self.detector = detector
        self.syntheticSet = syntheticSet
        auroc = metrics.auroc * 100
        fpr95 = metrics.fpr95 * 100
        auprIn = metrics.auprIn * 100
        auprOut = metrics.auprOut * 100
        self.idAccuracy = idAccuracy.map { $0 * 100 }
    }

    enum CodingKeys: String, CodingKey {
        case detector, synthetic, set, auroc, fpr95, auprIn = "aupr_in", auprOut = "aupr_out", idAccuracy = "id_accuracy"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(detector, forKey: .detector)
        try c.encode(syntheticSet != nil, forKey: .synthetic)
        try c.encodeIfPresent(syntheticSet, forKey: .set)
        for (key, value) in [(CodingKeys.auroc, auroc), (.fpr95, fpr95), (.auprIn, auprIn), (.auprOut, auprOut)] {
            try c.encode((value * 100).rounded() / 100, forKey: key)
        }
        if let idAccuracy { try c.encode((idAccuracy * 100).rounded() / 100, forKey: .idAccuracy) } else { try c.encodeNil(forKey: .idAccuracy) }
    }
}
