import Foundation
import Testing
@testable import Encoders

/// A sample's embedding is the same bits alone, in any batch and at any place in it: what lets
/// `embed --batch`, shards and resumed runs give byte-identical streams (GEMMKernel).
@Suite struct BatchIndependenceTests {
    static func bits(_ rows: [[Float]]) -> [[UInt32]] { rows.map { $0.map(\.bitPattern) } }

    @Test func clipImagesAloneEqualTheBatch() throws {
        let model = try CLIPModel(folder: CLIPModelTests.folder)
        let golden = try ModelGoldens.load(ModelGoldens.CLIP.self, "clip-golden.json").image
        let images = golden.pixelValues.map { $0.flatMap { $0.flatMap { $0 } } }
        let batch = Self.bits(try model.vision.embed(pixels: images.flatMap { $0 }, batch: images.count).rowArrays)
        for (index, image) in images.enumerated() {
            #expect(Self.bits(try model.vision.embed(pixels: image, batch: 1).rowArrays) == [batch[index]], "image \(index)")
        }
        let reversed = Self.bits(try model.vision.embed(pixels: images.reversed().flatMap { $0 }, batch: images.count).rowArrays)
        #expect(Array(reversed.reversed()) == batch)
    }

    @Test func clipCaptionsAloneEqualTheBatch() throws {
        let model = try CLIPModel(folder: CLIPModelTests.folder)
        let ids = try ModelGoldens.load(ModelGoldens.CLIP.self, "clip-golden.json").text.ids
        let batch = Self.bits(try model.text.embed(tokens: ids).rowArrays)
        for (index, caption) in ids.enumerated() {
            #expect(Self.bits(try model.text.embed(tokens: [caption]).rowArrays) == [batch[index]], "caption \(index)")
        }
        #expect(Array(Self.bits(try model.text.embed(tokens: ids.reversed()).rowArrays).reversed()) == batch)
    }

    @Test func miniLMSentencesAloneEqualTheBatch() throws {
        guard let folder = ModelGoldens.miniLMFolder else {
            Issue.record("skipped: all-MiniLM-L6-v2 not installed (run scripts/setup or set OODSYNTH_MODELS)", severity: .warning)
            return
        }
        let model = try BERTModel(folder: folder)
        let ids = try ModelGoldens.load(ModelGoldens.MiniLM.self, "minilm-golden.json").ids
        let batch = Self.bits(try model.embed(tokens: ids).rowArrays)
        for (index, sentence) in ids.enumerated() {
            #expect(Self.bits(try model.embed(tokens: [sentence]).rowArrays) == [batch[index]], "sentence \(index)")
        }
        #expect(Array(Self.bits(try model.embed(tokens: ids.reversed()).rowArrays).reversed()) == batch)
    }

    @Test func builtinImagesAloneEqualTheBatch() throws {
        let tower = try BuiltinImageTowerTests.fit(count: 8)
        let images = (0..<3).flatMap { label in (50..<57).map { BuiltinImageTowerTests.image(label: label, index: $0) } }
        let batch = Self.bits(try tower.embed(images))
        for (index, image) in images.enumerated() {
            #expect(Self.bits(try tower.embed([image])) == [batch[index]], "image \(index)")
        }
        #expect(Array(Self.bits(try tower.embed(images.reversed())).reversed()) == batch)
    }
}
