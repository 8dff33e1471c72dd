import Foundation
import LinearAlgebra
import OODCore
import Testing
@testable import Training

/// The trainer on a toy space where outliers sit in their own directions: it learns to flag them,
/// chooses on validation with the untrained start as a candidate, and refuses broken input.
@Suite struct AdapterTrainerTests {
    /// Three classes around axes 0-2, outliers (and their captions and gaps) around axes 3-4, in 12 d.
    static func data(seed: UInt64 = 1, nan: Bool = false) throws -> TrainingData {
        var random = SeededGenerator(seed: seed)
        func around(_ axis: Int, _ spread: Float) -> [Float] {
            var v = (0..<12).map { _ in Float(random.nextNormal()) * spread }
            v[axis] += 1
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
        let labels = (0..<90).map { $0 % 3 }
        var id = labels.flatMap { around($0, 0.35) }
        if nan { id[5] = .nan }
        let syn = (0..<40).flatMap { around(3 + $0 % 2, 0.35) }
        let captions = (0..<40).flatMap { around(3 + $0 % 2, 0.2) }
        let gaps = (0..<40).flatMap { around(3 + $0 % 2, 0.1) }
        let prompts = (0..<3).flatMap { around($0, 0.05) }
        return TrainingData(classes: ["a", "b", "c"], prompts: try Matrix(rows: 3, columns: 12, values: prompts),
                            idImages: try Matrix(rows: 90, columns: 12, values: id), idLabels: labels,
                            syntheticImages: try Matrix(rows: 40, columns: 12, values: syn),
                            syntheticCaptions: try Matrix(rows: 40, columns: 12, values: captions),
                            syntheticGaps: try Matrix(rows: 40, columns: 12, values: gaps))
    }

    static var options: AdapterTrainer.Options {
        var options = AdapterTrainer.Options()
        options.epochs = 4
        options.batch = 16
        options.learningRate = 1e-2
        options.negatives = 2
        return options
    }

    @Test func learnsToFlagOutliersAndIsDeterministic() throws {
        let (adapter, record) = try AdapterTrainer(options: Self.options).train(try Self.data())
        #expect(record.candidates.count == 1 + 4 * 4)
        #expect(record.candidates[0].epoch == 0)
        #expect(record.selected.auroc >= record.candidates[0].auroc)
        #expect(record.selected.auroc > 95, "\(record.selected)")
        // Unseen outliers in the outlier directions get low ID scores, unseen ID points high ones.
        let fresh = try Self.data(seed: 2)
        let id = try adapter.scores(fresh.idImages).idScores, out = try adapter.scores(fresh.syntheticImages).idScores
        let meanID: Double = id.reduce(0, +) / Double(id.count)
        let meanOut: Double = out.reduce(0, +) / Double(out.count)
        #expect(meanID > meanOut + 0.3, "mean ID score \(meanID), outliers \(meanOut)")
        let (again, _) = try AdapterTrainer(options: Self.options).train(try Self.data())
        for (a, b) in zip(adapter.parameters.tensors, again.parameters.tensors) { #expect(a.values == b.values) }
    }

    @Test func keepsTheUntrainedStartWhenNothingBeatsIt() throws {
        var options = Self.options
        options.learningRate = 10  // every step overshoots: no trained candidate may be chosen over epoch 0
        options.outlierWeights = [0]
        let (_, record) = try AdapterTrainer(options: options).train(try Self.data())
        // The chosen one is the best admissible candidate, and the untrained start is admissible.
        let floor = record.candidates[0].accuracy - options.accuracyTolerance
        let admissible: [Double] = record.candidates.filter { $0.accuracy >= floor }.map(\.auroc)
        #expect(record.selected.auroc == admissible.max())
        #expect(record.selected.auroc >= record.candidates[0].auroc)
    }

    @Test func refusesBrokenInput() throws {
        #expect(throws: TrainingError.self) { try AdapterTrainer(options: Self.options).train(try Self.data(nan: true)) }
        var one = try Self.data()
        one.classes = ["a"]
        #expect(throws: TrainingError.self) { try AdapterTrainer(options: Self.options).train(one) }
        var empty = try Self.data()
        empty.syntheticImages = Matrix(rows: 0, columns: 12)
        do {
            _ = try AdapterTrainer(options: Self.options).train(empty)
            Issue.record("an empty synthetic set was trained on")
        } catch {
            #expect("\(error)".contains("empty (0 samples)"))
        }
        var options = Self.options
        options.outlierWeights = []
        #expect(throws: TrainingError.self) { try AdapterTrainer(options: options).train(try Self.data()) }
    }
}
