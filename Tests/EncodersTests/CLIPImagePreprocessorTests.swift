import Foundation
import Imaging
import Testing
@testable import Encoders

/// CLIP preprocessing against transformers' CLIPImageProcessor (PIL backend) on real images, pixel
/// values made by scripts/make-encoder-goldens.py.
@Suite struct CLIPImagePreprocessorTests {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
    static let folder = resources.appendingPathComponent("clip-preprocess")
    static let images = resources.appendingPathComponent("../../ImagingTests/Resources").standardized

    struct Index: Decodable {
        struct Entry: Decodable {
            let image: String
            let decoded_width: Int
            let decoded_height: Int
            let decoded_rgb: String?
            let resized: [Int]
            let pixel_values: String
        }
        let images: [Entry]
    }

    static func index() throws -> Index {
        try JSONDecoder().decode(Index.self, from: Data(contentsOf: folder.appendingPathComponent("index.json")))
    }

    /// A float32 `.npy` v1 file's values (the header is skipped by its declared length).
    static func npy(_ url: URL) throws -> [Float] {
        let bytes = [UInt8](try Data(contentsOf: url))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let payload = bytes[(10 + headerLength)...]
        return payload.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    @Test func matchesTheReferenceOnPILDecodedPixels() throws {
        for entry in try Self.index().images {
            let image: RGBImage
            if let raw = entry.decoded_rgb {
                let pixels = [UInt8](try Data(contentsOf: Self.images.appendingPathComponent(raw)))
                image = try #require(RGBImage(width: entry.decoded_width, height: entry.decoded_height, pixels: pixels))
            } else {
                // PNG decoding is exact to PIL, so our own decode stands in for it.
                let bytes = [UInt8](try Data(contentsOf: Self.images.appendingPathComponent(entry.image)))
                image = try ImageDecoder.decode(bytes).image
            }
            let preprocessor = CLIPImagePreprocessor()
            let size = preprocessor.resizedSize(width: image.width, height: image.height)
            #expect([size.width, size.height] == entry.resized, "\(entry.image)")
            var ours: [Float] = []
            preprocessor.append(image, to: &ours)
            let reference = try Self.npy(Self.folder.appendingPathComponent(entry.pixel_values))
            #expect(ours.count == reference.count)
            let worst = zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-3, "\(entry.image): max abs difference \(worst)")
        }
    }

    @Test func ownDecodeStaysCloseForJPEG() throws {
        // libjpeg-turbo 2.1 (ours) and PIL's bundled 3.x may round a few samples differently; a level
        // or two is at most 2/(255*0.26) = 0.03 after normalization.
        for entry in try Self.index().images {
            let bytes = [UInt8](try Data(contentsOf: Self.images.appendingPathComponent(entry.image)))
            var ours: [Float] = []
            CLIPImagePreprocessor().append(try ImageDecoder.decode(bytes).image, to: &ours)
            let reference = try Self.npy(Self.folder.appendingPathComponent(entry.pixel_values))
            let worst = zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 0.05, "\(entry.image): max abs difference \(worst)")
        }
    }
}
