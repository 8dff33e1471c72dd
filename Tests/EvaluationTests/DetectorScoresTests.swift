import Foundation
import Testing
@testable import Evaluation

@Suite struct DetectorScoresTests {
    @Test func softmaxScoresWorkOutByHand() {
        #expect(DetectorScores.msp([[0, 0], [log(3), 0]]) == [0.5, 0.75])
        let energy = DetectorScores.energy([[0, 0], [1000, 1000]])
        #expect(abs(energy[0] - log(2)) < 1e-12 && abs(energy[1] - (1000 + log(2))) < 1e-9, "no overflow: \(energy)")
    }

    @Test func mcmIsTheSoftmaxOfCosinesOverPrompts() {
        let prompts: [[Float]] = [[1, 0], [0, 1]]
        let (scores, predictions) = DetectorScores.mcm(images: [[1, 0], [0.6, 0.8]], prompts: prompts)
        #expect(predictions == [0, 1])
        #expect(abs(scores[0] - exp(1) / (exp(1) + 1)) < 1e-6)
        #expect(abs(scores[1] - exp(0.8) / (exp(0.6) + exp(0.8))) < 1e-6)
    }

    @Test func knnIsTheCosineOfTheKthNeighbour() throws {
        let train: [[Float]] = [[1, 0], [0.8, 0.6], [0, 1]]
        let scores = try DetectorScores.knn(train: train, test: [[1, 0], [0, 1]], k: 2)
        #expect(abs(scores[0] - 0.8) < 1e-6 && abs(scores[1] - 0.6) < 1e-6, "\(scores)")
        #expect(throws: EvaluationError.self) { try DetectorScores.knn(train: [], test: [[1]], k: 1) }
    }
}
