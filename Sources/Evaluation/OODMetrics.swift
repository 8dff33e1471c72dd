/// The OOD-detection metrics the field reports, with ID as the positive class and scores where higher
/// means "more ID" (as MSP, energy, MCM and negated kNN distance are).
///
/// Thresholds run over every distinct score, highest first; at threshold t a sample is called ID when
/// its score is >= t, so tied samples cross together. That makes AUROC the trapezoid under the ROC
/// curve (a tie between an ID and an OOD sample counts one half), FPR95 the false-positive rate at the
/// first threshold whose TPR reaches 0.95 (sklearn's `roc_curve` with `drop_intermediate=False`; its
/// default can skip that point and report a later, worse one), and AUPR sklearn's average precision
/// (step-wise, not interpolated), with ID positive (AUPR-In) or OOD positive on negated scores
/// (AUPR-Out).
public struct OODMetrics: Sendable, Equatable {
    public var auroc: Double
    public var fpr95: Double
    public var auprIn: Double
    public var auprOut: Double

    public init(auroc: Double, fpr95: Double, auprIn: Double, auprOut: Double) {
        (self.auroc, self.fpr95, self.auprIn, self.auprOut) = (auroc, fpr95, auprIn, auprOut)
    }

    /// Metrics of `id` scores against `ood` scores; both need at least one finite value each.
    public init(id: [Double], ood: [Double]) throws(EvaluationError) {
        guard !id.isEmpty, !ood.isEmpty else { throw .notEnoughData("need ID and OOD scores (got \(id.count) and \(ood.count))") }
        guard (id + ood).allSatisfy(\.isFinite) else { throw .notFinite("a score is NaN or infinite") }
        let positive = Self.curve(positives: id, negatives: ood)
        let negative = Self.curve(positives: ood.map { -$0 }, negatives: id.map { -$0 })
        auroc = positive.auroc
        fpr95 = positive.fpr(atTPR: 0.95)
        auprIn = positive.averagePrecision
        auprOut = negative.averagePrecision
    }

    /// The ROC curve, (FPR, TPR) from (0, 0) to (1, 1), one point per distinct threshold.
    public static func roc(id: [Double], ood: [Double]) -> [(fpr: Double, tpr: Double)] {
        guard !id.isEmpty, !ood.isEmpty else { return [] }
        let curve = Self.curve(positives: id, negatives: ood)
        return [(0, 0)] + zip(curve.truePositives, curve.falsePositives).map {
            (Double($1) / Double(curve.negatives), Double($0) / Double(curve.positives))
        }
    }

    /// Cumulative true and false positives at each distinct threshold, highest first.
    struct Curve {
        var truePositives: [Int] = []
        var falsePositives: [Int] = []
        var positives = 0
        var negatives = 0

        var auroc: Double {
            var area = 0.0, lastTPR = 0.0, lastFPR = 0.0
            for (tp, fp) in zip(truePositives, falsePositives) {
                let tpr = Double(tp) / Double(positives), fpr = Double(fp) / Double(negatives)
                area += (fpr - lastFPR) * (tpr + lastTPR) / 2
                (lastTPR, lastFPR) = (tpr, fpr)
            }
            return area
        }

        func fpr(atTPR target: Double) -> Double {
            for (tp, fp) in zip(truePositives, falsePositives) where Double(tp) / Double(positives) >= target {
                return Double(fp) / Double(negatives)
            }
            return 1
        }

        var averagePrecision: Double {
            var sum = 0.0, lastRecall = 0.0
            for (tp, fp) in zip(truePositives, falsePositives) {
                let recall = Double(tp) / Double(positives)
                sum += (recall - lastRecall) * Double(tp) / Double(tp + fp)
                lastRecall = recall
            }
            return sum
        }
    }

    static func curve(positives: [Double], negatives: [Double]) -> Curve {
        let labelled = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 > $1.0 }
        var curve = Curve(positives: positives.count, negatives: negatives.count)
        var tp = 0, fp = 0, index = 0
        while index < labelled.count {
            let score = labelled[index].0
            // Every sample tied at this score crosses the threshold together.
            while index < labelled.count && labelled[index].0 == score {
                if labelled[index].1 { tp += 1 } else { fp += 1 }
                index += 1
            }
            curve.truePositives.append(tp)
            curve.falsePositives.append(fp)
        }
        return curve
    }
}
