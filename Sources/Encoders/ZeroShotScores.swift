import Foundation

/// How well a joint model's image embeddings find their class and caption: zero-shot classification
/// by class prompts and image->caption retrieval, each with its chance level beside it.
public struct ZeroShotScores: Codable, Sendable, Equatable, CustomStringConvertible {
    public var images: Int
    public var classes: Int
    /// Fraction of images whose nearest class prompt is their own class.
    public var accuracy: Double
    /// Fraction of images whose own caption (or an identical one) is among the 5 captions nearest to
    /// the image, out of all the evaluated images' captions.
    public var recallAt5: Double

    enum CodingKeys: String, CodingKey {
        case images, classes, accuracy, recallAt5 = "recall_at_5"
    }

    public var accuracyChance: Double { 1 / Double(max(classes, 1)) }
    public var recallChance: Double { min(1, 5 / Double(max(images, 1))) }

    /// `images`, `captions` and `prompts` are unit vectors of one space; `labels[i]` is the class of
    /// image i, an index into `prompts`; `captions[i]` is the caption of image i, `captionTexts[i]` its text.
    public init(images imageVectors: [[Float]], labels: [Int], prompts: [[Float]], captions: [[Float]], captionTexts: [String]) {
        func dot(_ a: [Float], _ b: [Float]) -> Float {
            var sum: Float = 0
            for index in a.indices { sum += a[index] * b[index] }
            return sum
        }
        // Parallel arrays; should a caller pass ragged ones, only the common prefix is scored.
        let count = min(imageVectors.count, labels.count, captions.count, captionTexts.count)
        let captions = Array(captions.prefix(count))
        var correct = 0
        var found = 0
        for (index, image) in imageVectors.prefix(count).enumerated() {
            let classScores = prompts.map { dot(image, $0) }
            // First maximum: ties go to the lower class index, deterministically.
            let predicted = classScores.indices.max { (classScores[$0], $1) < (classScores[$1], $0) } ?? -1
            if predicted == labels[index] { correct += 1 }
            let captionScores = captions.map { dot(image, $0) }
            let top = captionScores.indices.sorted { (captionScores[$0], $1) > (captionScores[$1], $0) }.prefix(5)
            if top.contains(where: { captionTexts[$0] == captionTexts[index] }) { found += 1 }
        }
        images = count
        classes = prompts.count
        accuracy = Double(correct) / Double(max(count, 1))
        recallAt5 = Double(found) / Double(max(count, 1))
    }

    public var description: String {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        return "\(images) held-out images: zero-shot accuracy \(percent(accuracy)) (chance \(percent(accuracyChance))), "
            + "image->caption recall@5 \(percent(recallAt5)) (chance \(percent(recallChance)))"
    }
}
