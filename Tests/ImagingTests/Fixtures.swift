import Foundation
import Imaging

/// One entry of Resources/index.json, written by scripts/make-imaging-goldens.py.
struct Fixture: Decodable, Sendable {
    let width: Int
    let height: Int
    let reference: String
    let kind: String
    let tolerance: Int
    let source: String?
    let maxSide: Int?
}

struct FixtureIndex: Decodable, Sendable {
    let pillow: String
    let images: [String: Fixture]
}

/// Access to the committed fixtures and their PIL reference pixels.
enum Fixtures {
    static let directory: URL = Bundle.module.url(forResource: "Resources", withExtension: nil)
        ?? Bundle.module.bundleURL.appendingPathComponent("Resources")

    static let index: FixtureIndex? = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("index.json")) else { return nil }
        return try? JSONDecoder().decode(FixtureIndex.self, from: data)
    }()

    /// Fixture names of one kind, sorted (test arguments).
    static func names(kind: String) -> [String] {
        (index?.images ?? [:]).filter { $0.value.kind == kind }.map(\.key).sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func fixture(_ name: String) throws -> Fixture {
        guard let fixture = index?.images[name] else { throw FixtureMissing(name: name) }
        return fixture
    }

    /// The PIL-decoded pixels recorded for `name`.
    static func reference(_ name: String) throws -> RGBImage {
        let fixture = try fixture(name)
        let pixels = try bytes(fixture.reference)
        guard let image = RGBImage(width: fixture.width, height: fixture.height, pixels: pixels) else {
            throw FixtureMissing(name: fixture.reference)
        }
        return image
    }
}

struct FixtureMissing: Error, CustomStringConvertible {
    let name: String
    var description: String { "fixture \(name) missing or malformed" }
}

/// Largest and mean absolute per-channel difference of two same-sized images.
func difference(_ a: RGBImage, _ b: RGBImage) -> (max: Int, mean: Double) {
    precondition(a.width == b.width && a.height == b.height)
    var largest = 0
    var total = 0
    for (x, y) in zip(a.pixels, b.pixels) {
        let d = abs(Int(x) - Int(y))
        largest = max(largest, d)
        total += d
    }
    return (largest, Double(total) / Double(max(a.pixels.count, 1)))
}
