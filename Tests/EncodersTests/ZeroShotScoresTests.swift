import Foundation
import Testing
@testable import Encoders

/// Hand-made unit vectors whose nearest prompts and captions are known exactly, so every score is an
/// exact fraction.
@Suite struct ZeroShotScoresTests {
    static func unit(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return vector.map { $0 / norm }
    }

    static func basis(_ index: Int, dimension: Int = 8) -> [Float] {
        (0..<dimension).map { $0 == index ? 1 : 0 }
    }

    /// Scores with captions that never matter (one distinct caption per image, equal to its image).
    static func classification(images: [[Float]], labels: [Int], prompts: [[Float]]) -> ZeroShotScores {
        ZeroShotScores(images: images, labels: labels, prompts: prompts, captions: images,
                       captionTexts: images.indices.map { "caption \($0)" })
    }

    @Test func accuracyCountsNearestPrompt() {
        let prompts: [[Float]] = [[1, 0], [0, 1], [-1, 0]]
        let images: [[Float]] = [[1, 0], [0, 1], [0.6, 0.8], [-1, 0], Self.unit([-1, 0.5])]
        // Predicted 0, 1, 1 (0.8 beats 0.6), 2, 2; the third image is labelled 0, so 4 of 5 are right.
        let scores = Self.classification(images: images, labels: [0, 1, 0, 2, 2], prompts: prompts)
        #expect(scores.images == 5)
        #expect(scores.classes == 3)
        #expect(scores.accuracy == 0.8)
        #expect(scores.accuracyChance == 1.0 / 3)
    }

    // An image exactly between prompts 0 and 1 (equal dot products, bit for bit) counts as class 0.
    @Test(arguments: [(0, 1.0), (1, 0.0)])
    func tiedClassesGoToTheLowerIndex(label: Int, accuracy: Double) {
        let s = Float(0.5).squareRoot()
        let scores = Self.classification(images: [[s, s]], labels: [label], prompts: [[1, 0], [0, 1]])
        #expect(scores.accuracy == accuracy)
    }

    @Test func tiesAfterALowerScoringClassStillGoToTheLowerTiedIndex() {
        // Classes 1 and 2 tie above class 0: the answer is 1, not 0 (the first prompt) nor 2 (the last).
        let s = Float(0.5).squareRoot()
        let prompts: [[Float]] = [[-1, 0], [1, 0], [1, 0]]
        #expect(Self.classification(images: [[s, s]], labels: [1], prompts: prompts).accuracy == 1)
        #expect(Self.classification(images: [[s, s]], labels: [2], prompts: prompts).accuracy == 0)
    }

    @Test func recallAt5() {
        // Seven images with one-hot captions e0...e6; caption 6's text repeats caption 2's.
        let captions = (0..<7).map { Self.basis($0) }
        let texts = ["t0", "t1", "t2", "t3", "t4", "t5", "t2"]
        let orthogonal = Self.basis(7)   // every caption scores 0: a seven-way tie
        let images: [[Float]] = [
            Self.basis(0),                          // own caption first: hit
            orthogonal,                             // tie -> captions 0...4, own caption 1 among them: hit
            Self.basis(2).map { -$0 },              // own caption last, top 5 = 0, 1, 3, 4, 5 (no "t2"): miss
            Self.unit([1, 1, 1, 0, 1, 0, 1, 0]),    // top 5 = 0, 1, 2, 4, 6 exactly, not 3: miss
            Self.unit([1, 1, 1, 1, 0.5, 0, 0, 0]),  // own caption 4 is exactly fifth: hit
            orthogonal,                             // tie -> captions 0...4, own caption 5 is not: miss
            orthogonal,                             // own caption 6 is not in 0...4, but caption 2 has its text: hit
        ]
        let scores = ZeroShotScores(images: images, labels: Array(repeating: 0, count: 7), prompts: [Self.basis(0)],
                                    captions: captions, captionTexts: texts)
        #expect(scores.recallAt5 == 4.0 / 7)
        #expect(scores.recallChance == 5.0 / 7)
        // One prompt: every image is predicted class 0, its label.
        #expect(scores.accuracy == 1)
        #expect(scores.accuracyChance == 1)
    }

    @Test func fewerThanSixCaptionsAlwaysRecall() {
        // With 3 captions the top 5 is every caption, so recall and its chance level are both 1.
        let images = [Self.basis(0), Self.basis(1), Self.basis(2)]
        let scores = ZeroShotScores(images: images, labels: [0, 0, 0], prompts: [Self.basis(0), Self.basis(1)],
                                    captions: images.map { $0.map { -$0 } }, captionTexts: ["a", "b", "c"])
        #expect(scores.recallAt5 == 1)
        #expect(scores.recallChance == 1)
        // Image 0 is class 0, image 1 class 1 (wrong), image 2 ties at 0 and so is class 0.
        #expect(scores.accuracy == 2.0 / 3)
        #expect(scores.accuracyChance == 0.5)
    }

    @Test func emptyInputScoresZeroWithoutDividingByZero() {
        let scores = ZeroShotScores(images: [], labels: [], prompts: [], captions: [], captionTexts: [])
        #expect(scores.images == 0 && scores.classes == 0)
        #expect(scores.accuracy == 0 && scores.recallAt5 == 0)
        #expect(scores.accuracyChance == 1 && scores.recallChance == 1)
    }

    @Test func chanceLevels() throws {
        var scores = Self.classification(images: [[1, 0]], labels: [0], prompts: [[1, 0], [0, 1]])
        scores.classes = 10
        scores.images = 1000
        #expect(scores.accuracyChance == 0.1)
        #expect(scores.recallChance == 0.005)
        scores.images = 4
        #expect(scores.recallChance == 1)
        #expect(scores.description.contains("(chance 10.0%)"))
        // The JSON field names are part of the reports' format.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(scores)) as? [String: Any]
        #expect(Set(json?.keys.map { $0 } ?? []) == ["images", "classes", "accuracy", "recall_at_5"])
    }
}
