import LinearAlgebra

/// The rows one optimisation step sees: ID images with their classes, synthetic images with their
/// captions and target negatives, and gap vectors. Every row is a unit embedding; any part may be
/// empty (zero rows).
public struct TrainingBatch {
    public var idImages: Matrix
    public var idLabels: [Int]
    public var syntheticImages: Matrix
    public var syntheticCaptions: Matrix
    /// For each synthetic sample, the logit index of its negative (in C..<C+K).
    public var syntheticTargets: [Int]
    public var gaps: Matrix

    public init(idImages: Matrix, idLabels: [Int], syntheticImages: Matrix, syntheticCaptions: Matrix,
                syntheticTargets: [Int], gaps: Matrix) {
        (self.idImages, self.idLabels, self.syntheticImages) = (idImages, idLabels, syntheticImages)
        (self.syntheticCaptions, self.syntheticTargets, self.gaps) = (syntheticCaptions, syntheticTargets, gaps)
    }
}
