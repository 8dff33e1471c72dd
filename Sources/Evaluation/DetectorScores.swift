import Foundation
import Gaps
import LinearAlgebra

/// Scores of the baseline OOD detectors on frozen embeddings, higher meaning "more ID".
public enum DetectorScores {
    /// Maximum softmax probability of each row of logits (Hendrycks & Gimpel 2017).
    public static func msp(_ logits: [[Double]]) -> [Double] {
        logits.map { row in
            let top = row.max() ?? 0
            return 1 / row.reduce(0) { $0 + exp($1 - top) }
        }
    }

    /// Negative free energy, logsumexp of the logits at T = 1 (Liu et al. 2020).
    public static func energy(_ logits: [[Double]]) -> [Double] {
        logits.map(logSumExp)
    }

    /// Maximum concept matching (Ming et al. 2022): the largest softmax over the ID class prompts of
    /// cosine(image, prompt) / temperature. Both sides unit vectors.
    public static func mcm(images: [[Float]], prompts: [[Float]], temperature: Double = 1) -> (scores: [Double], predictions: [Int]) {
        var scores: [Double] = [], predictions: [Int] = []
        for image in images {
            let logits = prompts.map { prompt in Double(zip(image, prompt).reduce(Float(0)) { $0 + $1.0 * $1.1 }) / temperature }
            scores.append(msp([logits])[0])
            predictions.append(logits.indices.max { logits[$0] < logits[$1] } ?? 0)
        }
        return (scores, predictions)
    }

    /// kNN (Sun et al. 2022): cosine to the k-th nearest training embedding (the negative of the
    /// normalized-feature distance, up to a monotone map, so the same AUROC).
    public static func knn(train: [[Float]], test: [[Float]], k: Int = 50) throws(EvaluationError) -> [Double] {
        guard let dimension = train.first?.count, !test.isEmpty else { throw .notEnoughData("kNN needs training and test embeddings") }
        do {
            let index = KNNIndex(vectors: try Matrix(rows: train.count, columns: dimension, values: train.flatMap { $0 }))
            let found = try index.search(try Matrix(rows: test.count, columns: dimension, values: test.flatMap { $0 }), k: k)
            return (0..<test.count).map { Double(found.similarity(query: $0, rank: found.k - 1)) }
        } catch {
            throw .notEnoughData("kNN: \(error)")
        }
    }

    static func logSumExp(_ row: [Double]) -> Double {
        let top = row.max() ?? 0
        return top + log(row.reduce(0) { $0 + exp($1 - top) })
    }
}
