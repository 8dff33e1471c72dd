import Foundation
import Testing
@testable import Encoders

/// The real all-MiniLM-L6-v2 against sentence-transformers' mean-pooled outputs
/// (scripts/make-encoder-goldens.py). The weights come from scripts/setup; without them the tests
/// say so and pass.
@Suite struct BERTModelTests {
    @Test func miniLMMatchesSentenceTransformers() throws {
        guard let folder = ModelGoldens.miniLMFolder else {
            Issue.record("skipped: all-MiniLM-L6-v2 not installed (run scripts/setup or set OODSYNTH_MODELS)", severity: .warning)
            return
        }
        let model = try BERTModel(folder: folder)
        #expect(model.pooling == .mean && model.outputDimension == 384)
        let golden = try ModelGoldens.load(ModelGoldens.MiniLM.self, "minilm-golden.json")
        let batched = try model.embed(tokens: golden.ids).rowArrays
        for (index, (ours, reference)) in zip(batched, golden.pooled).enumerated() {
            #expect(ModelGoldens.cosine(ours, reference) > 0.9999, "sentence \(index)")
        }
        #expect(ModelGoldens.maxAbsError(batched, golden.pooled) < 1e-3)
        // One at a time gives the same vectors as the batch: padding never leaks into real tokens.
        let alone = try golden.ids.prefix(6).map { ids in try model.embed(tokens: [ids]).rowArrays[0] }
        #expect(ModelGoldens.maxAbsError(alone, Array(batched.prefix(6))) < 1e-5)
        #expect(throws: TransformerError.self) { try model.embed(tokens: [[101, 30522, 102]]) }
        #expect(throws: TransformerError.self) { try model.embed(tokens: [Array(repeating: 100, count: 513)]) }
    }
}
