import Foundation
import Imaging
import LinearAlgebra
import OODCore
import Testing
@testable import Encoders

/// The builtin image tower on synthetic classes whose look is known (stripes, discs, checkers in
/// random colours and places) and synthetic class targets, so fitting is tested without a text tower.
@Suite struct BuiltinImageTowerTests {
    static let dimension = 16

    static var config: BuiltinImageConfig {
        var config = BuiltinImageConfig()
        config.centroids = 32
        config.patchSamples = 6000
        config.kmeansIterations = 5
        config.ridge = 10
        return config
    }

    /// Image `index` of class `label` (0 stripes, 1 disc, 2 checkers), `size` square.
    static func image(label: Int, index: Int, size: Int = 32) -> RGBImage {
        var random = SeededGenerator(seed: 7, key: "\(label)-\(index)")
        let ink = (0..<3).map { _ in UInt8(random.nextIndex(below: 200)) }
        let period = 4 + random.nextIndex(below: 5)
        let (cx, cy) = (random.nextIndex(below: size), random.nextIndex(below: size))
        var pixels = [UInt8](repeating: 255, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let scaledX = x * 32 / size, scaledY = y * 32 / size
                let on = switch label {
                case 0: (scaledY / (period / 2)) % 2 == 0
                case 1: (scaledX - cx * 32 / size) * (scaledX - cx * 32 / size) + (scaledY - cy * 32 / size) * (scaledY - cy * 32 / size) < 100
                default: ((scaledX / period) + (scaledY / period)) % 2 == 0
                }
                if on { for channel in 0..<3 { pixels[(y * size + x) * 3 + channel] = ink[channel] } }
            }
        }
        return RGBImage(width: size, height: size, pixels: pixels)!
    }

    /// Unit class vectors plus a little per-sample noise, standing in for caption embeddings.
    static func target(label: Int, index: Int) -> [Float] {
        var random = SeededGenerator(seed: 9, key: "t\(label)-\(index)")
        var vector = (0..<dimension).map { _ in Float(random.nextNormal()) * 0.1 }
        vector[label] += 1
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return vector.map { $0 / norm }
    }

    static func fit(seed: UInt64 = 0, count: Int = 20) throws -> BuiltinImageTower {
        let pairs = (0..<3).flatMap { label in (0..<count).map { (label, $0) } }
        return try BuiltinFitter.fit(
            thumbnails: pairs.map { image(label: $0.0, index: $0.1) },
            targets: pairs.map { target(label: $0.0, index: $0.1) }, config: config, seed: seed)
    }

    @Test func heldOutImagesLandNearTheirClass() throws {
        let tower = try Self.fit()
        var correct = 0
        let unseen = (0..<3).flatMap { label in (100..<110).map { (label, $0) } }
        let embedded = try tower.embed(unseen.map { Self.image(label: $0.0, index: $0.1) })
        for ((label, _), vector) in zip(unseen, embedded) {
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
            let predicted = (0..<3).max { vector[$0] < vector[$1] }
            if predicted == label { correct += 1 }
        }
        #expect(correct >= 27, "\(correct) of 30 unseen images nearest their class")
    }

    @Test func fittingIsDeterministicAndSeeded() throws {
        let first = try BuiltinModel.weightsFile(try Self.fit())
        let second = try BuiltinModel.weightsFile(try Self.fit())
        #expect(first == second)
        let other = try BuiltinModel.weightsFile(try Self.fit(seed: 1))
        #expect(first != other)
    }

    @Test func weightsRoundTripThroughSafetensors() throws {
        let tower = try Self.fit()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tower-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(try BuiltinModel.weightsFile(tower)).write(to: file)
        let loaded = try BuiltinImageTower(config: Self.config, tensors: try SafeTensors(url: file), dimension: Self.dimension)
        let images = (0..<3).map { Self.image(label: $0, index: 50) }
        #expect(try loaded.embed(images) == (try tower.embed(images)))
        // A config that does not match the weights is refused, not misread.
        var wrong = Self.config
        wrong.centroids = 64
        #expect(throws: (any Error).self) {
            try BuiltinImageTower(config: wrong, tensors: try SafeTensors(url: file), dimension: Self.dimension)
        }
    }

    @Test func anyImageSizeIsSquashedToTheThumbnail() throws {
        let tower = try Self.fit()
        let large = Self.image(label: 1, index: 3, size: 96)
        let thumbnail = tower.thumbnail(large)
        #expect(thumbnail.width == 32 && thumbnail.height == 32)
        #expect(try tower.embed([large]) == (try tower.embed([thumbnail])))
        // Batching never changes an image's embedding: each image is encoded on its own.
        let batch = (0..<9).map { Self.image(label: $0 % 3, index: $0) }
        let together = try tower.embed(batch)
        let alone = try batch.map { try tower.embed([$0])[0] }
        #expect(together == alone)
    }

    @Test func badConfigsAndPairsAreRefused() throws {
        var config = Self.config
        config.patchSize = 40
        config.ridge = 0
        #expect(config.problems.contains { $0.contains("patch_size 40") }, "\(config.problems)")
        #expect(config.problems.contains { $0.contains("ridge 0") }, "\(config.problems)")
        #expect(Self.config.problems.isEmpty)
        #expect(throws: EncoderError.self) {
            try BuiltinFitter.fit(thumbnails: [Self.image(label: 0, index: 0)], targets: [], config: Self.config, seed: 0)
        }
        #expect(throws: EncoderError.self) {
            try BuiltinFitter.fit(thumbnails: [Self.image(label: 0, index: 0, size: 40)], targets: [Self.target(label: 0, index: 0)],
                                  config: Self.config, seed: 0)
        }
    }
}
