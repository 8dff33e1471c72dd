import Foundation
import Testing
@testable import Encoders

/// The tiny random CLIP checkpoint against transformers' outputs for it (scripts/make-encoder-goldens.py).
@Suite struct CLIPModelTests {
    static let folder = ModelGoldens.resources.appendingPathComponent("tiny-clip")

    @Test func configReadsTheCheckpoint() throws {
        let config = try CLIPConfig(folder: Self.folder)
        #expect(config.projectionDim == 16)
        #expect(config.textConfig.eosTokenId == 49407 && config.textConfig.vocabSize == 49408)
        #expect(config.visionConfig.imageSize == 32 && config.visionConfig.patchSize == 8 && config.visionConfig.gridSize == 4)
    }

    @Test func imageFeaturesMatchTransformers() throws {
        let model = try CLIPModel(folder: Self.folder)
        let golden = try ModelGoldens.load(ModelGoldens.CLIP.self, "clip-golden.json").image
        let pixels = golden.pixelValues.flatMap { $0.flatMap { $0.flatMap { $0 } } }
        let features = try model.vision.embed(pixels: pixels, batch: golden.pixelValues.count)
        #expect(features.shape == [golden.features.count, 16])
        #expect(ModelGoldens.maxAbsError(features.rowArrays, golden.features) < 1e-4)
        // One image at a time gives the same result as the batch.
        let one = try model.vision.embed(pixels: Array(pixels[0..<(3 * 32 * 32)]), batch: 1)
        #expect(ModelGoldens.maxAbsError(one.rowArrays, [golden.features[0]]) < 1e-4)
    }

    /// Different lengths in one batch, including the empty caption and one truncated at 77 tokens.
    @Test func textFeaturesMatchTransformers() throws {
        let model = try CLIPModel(folder: Self.folder)
        let golden = try ModelGoldens.load(ModelGoldens.CLIP.self, "clip-golden.json").text
        let features = try model.text.embed(tokens: golden.ids)
        #expect(ModelGoldens.maxAbsError(features.rowArrays, golden.features) < 1e-4)
        for (ids, expected) in zip(golden.ids, golden.features) {
            #expect(ModelGoldens.maxAbsError(try model.text.embed(tokens: [ids]).rowArrays, [expected]) < 1e-4)
        }
    }

    /// Tokens after the pooled end-of-text token cannot change the result (causal attention).
    @Test func tokensAfterEndOfTextAreIgnored() throws {
        let model = try CLIPModel(folder: Self.folder)
        let ids = [49406, 320, 1125, 539, 320, 2368, 49407]
        let plain = try model.text.embed(tokens: [ids]).rowArrays
        let padded = try model.text.embed(tokens: [ids + [49407, 49407, 0, 5, 7]]).rowArrays
        #expect(plain == padded)
        #expect(model.text.pooledPosition(ids + [49407]) == 6)
        #expect(model.text.pooledPosition([49406, 5]) == 0)
    }

    @Test func rejectsBadInput() throws {
        let model = try CLIPModel(folder: Self.folder)
        #expect(throws: TransformerError.self) { try model.text.embed(tokens: [[]]) }
        #expect(throws: TransformerError.self) { try model.text.embed(tokens: [[49406, 49408]]) }
        #expect(throws: TransformerError.self) { try model.text.embed(tokens: [Array(repeating: 1, count: 78)]) }
        #expect(throws: TransformerError.self) { try model.vision.embed(pixels: [0, 1, 2], batch: 1) }
    }

    @Test func namesMissingAndMisshapenTensors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-clip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let configURL = folder.appendingPathComponent("config.json")
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("config.json"), to: configURL)
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("model.safetensors"), to: folder.appendingPathComponent("model.safetensors"))
        // A config that disagrees with the weights: the first tensor it reads names the mismatch.
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any] ?? [:]
        var vision = json["vision_config"] as? [String: Any] ?? [:]
        vision["intermediate_size"] = 65
        json["vision_config"] = vision
        try JSONSerialization.data(withJSONObject: json).write(to: configURL)
        let error = try #require(throws: TransformerError.self) { try CLIPModel(folder: folder) }
        #expect(error == .weights(.unexpectedShape(file: "model.safetensors", tensor: "vision_model.encoder.layers.0.mlp.fc1.weight", expected: [65, 32], actual: [64, 32])))
        // More layers than the checkpoint has.
        vision["intermediate_size"] = 64
        vision["num_hidden_layers"] = 3
        json["vision_config"] = vision
        try JSONSerialization.data(withJSONObject: json).write(to: configURL)
        let missing = try #require(throws: TransformerError.self) { try CLIPModel(folder: folder) }
        #expect(missing.description.contains("vision_model.encoder.layers.2."))
        try Data("{".utf8).write(to: configURL)
        let bad = try #require(throws: TransformerError.self) { try CLIPModel(folder: folder) }
        #expect(bad.description.contains("config.json"))
    }
}

@Suite struct CLIPConfigTests {
    static func folder(config: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clip-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        return folder
    }

    /// Configs saved by old transformers versions store only some keys, some as null, and say
    /// eos_token_id 2 (openai/clip-vit-base-patch32): the rest takes transformers' defaults.
    @Test func missingAndNullKeysTakeDefaults() throws {
        let folder = try Self.folder(config: #"{"text_config": {"eos_token_id": 2, "hidden_act": null}, "vision_config": {"patch_size": 16}}"#)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try CLIPConfig(folder: folder)
        #expect(config.textConfig.eosTokenId == 2 && config.textConfig.hiddenAct == "quick_gelu" && config.textConfig.hiddenSize == 512)
        #expect(config.visionConfig.patchSize == 16 && config.visionConfig.gridSize == 14 && config.projectionDim == 512)
    }

    /// With eos_token_id 2 transformers pools at the largest id (<|endoftext|> is the last id).
    @Test func legacyEndOfTextRuleUsesLargestId() throws {
        let tiny = CLIPModelTests.folder
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: tiny.appendingPathComponent("config.json"))) as? [String: Any] ?? [:]
        var text = json["text_config"] as? [String: Any] ?? [:]
        text["eos_token_id"] = 2
        json["text_config"] = text
        let folder = try Self.folder(config: String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: tiny.appendingPathComponent("model.safetensors"), to: folder.appendingPathComponent("model.safetensors"))
        let model = try CLIPModel(folder: folder)
        #expect(model.text.pooledPosition([49406, 320, 49407, 2, 49407]) == 2)
        #expect(model.text.pooledPosition([49406, 2, 320]) == 0)
    }

    @Test func rejectsInconsistentConfig() throws {
        let folder = try Self.folder(config: #"{"vision_config": {"image_size": 100, "patch_size": 32}}"#)
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: TransformerError.self) { try CLIPConfig(folder: folder) }
        #expect(error.description.contains("config.json") && error.description.contains("patch_size"))
    }
}
