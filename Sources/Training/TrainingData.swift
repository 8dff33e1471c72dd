import LinearAlgebra

/// What `train` learns from, all unit embeddings of one base model: the labelled ID set, the class
/// prompts, and the synthetic set (each sample's image, caption and the gap it was made for).
public struct TrainingData {
    public var classes: [String]
    /// Text embeddings of the class prompts, one row per class: where P starts.
    public var prompts: Matrix
    public var idImages: Matrix
    public var idLabels: [Int]
    public var syntheticImages: Matrix
    public var syntheticCaptions: Matrix
    public var syntheticGaps: Matrix

    public init(classes: [String], prompts: Matrix, idImages: Matrix, idLabels: [Int],
                syntheticImages: Matrix, syntheticCaptions: Matrix, syntheticGaps: Matrix) {
        (self.classes, self.prompts, self.idImages, self.idLabels) = (classes, prompts, idImages, idLabels)
        (self.syntheticImages, self.syntheticCaptions, self.syntheticGaps) = (syntheticImages, syntheticCaptions, syntheticGaps)
    }

    /// Refuses what cannot be trained on, naming the part: fewer than two classes, no synthetic
    /// sample, a label out of range, dimensions that differ, or a non-finite value.
    public func check() throws(TrainingError) {
        guard classes.count >= 2 else { throw .badInput("the ID set has \(classes.count) class(es); train needs at least 2") }
        guard prompts.rows == classes.count else { throw .badInput("\(prompts.rows) class prompts for \(classes.count) classes") }
        guard idImages.rows > 0, idImages.rows == idLabels.count else {
            throw .badInput("the ID set has \(idImages.rows) embedded images and \(idLabels.count) labels")
        }
        guard syntheticImages.rows > 0 else { throw .badInput("the synthetic set is empty (0 samples)") }
        guard syntheticCaptions.rows == syntheticImages.rows, syntheticGaps.rows == syntheticImages.rows else {
            throw .badInput("the synthetic set has \(syntheticImages.rows) images, \(syntheticCaptions.rows) captions and \(syntheticGaps.rows) gaps")
        }
        let d = prompts.columns
        for (name, matrix) in [("class prompts", prompts), ("ID images", idImages), ("synthetic images", syntheticImages),
                               ("synthetic captions", syntheticCaptions), ("gap vectors", syntheticGaps)] {
            guard matrix.columns == d else { throw .badInput("\(name) have \(matrix.columns) dimensions, the class prompts \(d)") }
            for row in 0..<matrix.rows {
                let values = matrix.pointer(row: row)
                for column in 0..<d where !values[column].isFinite {
                    throw .badInput("\(name) row \(row) holds a non-finite value (\(values[column]))")
                }
            }
        }
        if let bad = idLabels.first(where: { !(0..<classes.count).contains($0) }) {
            throw .badInput("ID label \(bad) is outside the \(classes.count) classes")
        }
    }
}
