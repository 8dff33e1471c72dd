import Foundation

/// The committed reference outputs (scripts/make-encoder-goldens.py) and where the fixtures live.
enum ModelGoldens {
    /// Tests/EncodersTests/Resources, found from this file so tests need no bundle resources.
    static let resources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources")

    struct CLIP: Decodable {
        struct Text: Decodable {
            var captions: [String]
            var ids: [[Int]]
            var features: [[Float]]
        }
        struct Image: Decodable {
            var pixelValuesShape: [Int]
            var pixelValues: [[[[Float]]]]
            var features: [[Float]]
            enum CodingKeys: String, CodingKey {
                case pixelValuesShape = "pixel_values_shape", pixelValues = "pixel_values", features
            }
        }
        var text: Text
        var image: Image
    }

    struct MiniLM: Decodable {
        var weightsSHA256: String
        var sentences: [String]
        var ids: [[Int]]
        var pooled: [[Float]]
        enum CodingKeys: String, CodingKey {
            case weightsSHA256 = "weights_sha256", sentences, ids, pooled
        }
    }

    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: resources.appendingPathComponent(name)))
    }

    /// The real all-MiniLM-L6-v2 folder installed by scripts/setup, or nil when it is not there.
    static var miniLMFolder: URL? {
        let root = ProcessInfo.processInfo.environment["OODSYNTH_MODELS"].map { URL(fileURLWithPath: $0) }
            ?? resources.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".models")
        let folder = root.appendingPathComponent("all-MiniLM-L6-v2")
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) ? folder : nil
    }

    static func maxAbsError(_ a: [[Float]], _ b: [[Float]]) -> Float {
        zip(a, b).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? .infinity
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let na = a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let nb = b.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        return dot / (na * nb)
    }
}
