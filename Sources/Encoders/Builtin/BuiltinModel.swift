import Foundation
import Imaging
import LinearAlgebra
import OODCore

/// The builtin joint model: a sentence-transformers text tower and the fitted builtin image tower,
/// under one identity that names both towers' weights.
public final class BuiltinModel: TextEncoder, ImageEncoder {
    public let identity: ModelIdentity
    public let config: BuiltinModelConfig
    public let text: SentenceEncoder
    public let tower: BuiltinImageTower

    public init(config: BuiltinModelConfig, text: SentenceEncoder, tower: BuiltinImageTower, name: String) throws {
        guard text.identity.weightsSHA256 == config.textModelSHA256, text.identity.dimension == tower.dimension else {
            throw EncoderError.model(path: name, reason: """
                text tower \(text.identity) is not the one this image tower was fitted with \
                (weights \(config.textModelSHA256.prefix(12)), \(tower.dimension)-d); fit it again
                """)
        }
        self.config = config
        self.text = text
        self.tower = tower
        let weights = try Self.weightsFile(tower)
        identity = ModelIdentity(name: name, weightsSHA256: Self.combinedDigest(imageWeights: weights, text: text.identity),
                                 dimension: tower.dimension)
    }

    /// Loads a folder written by `write(to:)`.
    public convenience init(folder: URL, name: String? = nil) throws {
        let configURL = folder.appendingPathComponent("config.json")
        let config: BuiltinModelConfig
        do {
            config = try JSONDecoder().decode(BuiltinModelConfig.self, from: Data(contentsOf: configURL))
        } catch {
            throw EncoderError.model(path: configURL.path, reason: "not a builtin model config: \(error)")
        }
        guard config.version == BuiltinModelConfig.currentVersion else {
            throw EncoderError.model(path: configURL.path, reason: "builtin model version \(config.version); this oodsynth reads version \(BuiltinModelConfig.currentVersion): fit it again")
        }
        let problems = config.image.problems
        guard problems.isEmpty else { throw EncoderError.model(path: configURL.path, reason: problems.joined(separator: "; ")) }
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        let tower: BuiltinImageTower
        do {
            tower = try BuiltinImageTower(config: config.image, tensors: try SafeTensors(url: weightsURL), dimension: config.dimension)
        } catch let error as CustomStringConvertible & Error {
            throw EncoderError.model(path: weightsURL.path, reason: error.description)
        }
        let text = try SentenceEncoder(folder: try Self.textFolder(config.textModel, relativeTo: folder))
        try self.init(config: config, text: text, tower: tower, name: name ?? folder.lastPathComponent)
    }

    public func embed(texts: [String]) throws -> [[Float]] {
        try text.embed(texts: texts)
    }

    public func embed(images: [RGBImage]) throws -> [[Float]] {
        try tower.embed(images)
    }

    /// Writes `config.json` and `model.safetensors` into a fresh sibling folder and renames it to
    /// `folder`, so a reader never sees half a model. `folder` must not exist.
    public func write(to folder: URL) throws {
        let manager = FileManager.default
        let staging = folder.deletingLastPathComponent()
            .appendingPathComponent(".\(folder.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? manager.removeItem(at: staging)
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
            try Data(CanonicalJSON.encode(config, pretty: true) + [0x0a]).write(to: staging.appendingPathComponent("config.json"))
            try Data(try Self.weightsFile(tower)).write(to: staging.appendingPathComponent("model.safetensors"))
            try manager.moveItem(at: staging, to: folder)
        } catch {
            try? manager.removeItem(at: staging)
            throw EncoderError.unreadable(path: folder.path, reason: "cannot write the model: \(error.localizedDescription)")
        }
    }

    static func weightsFile(_ tower: BuiltinImageTower) throws -> [UInt8] {
        var writer = SafeTensorsWriter()
        try tower.write(into: &writer)
        writer.setMetadata("format", "pt")
        return writer.bytes()
    }

    /// One digest for both towers: the image weights' sha256 and the text tower's, hashed together.
    static func combinedDigest(imageWeights: [UInt8], text: ModelIdentity) -> String {
        let image = Hex.string(SHA256.hash(imageWeights))
        return Hex.string(SHA256.hash(Array("\(image):\(text.weightsSHA256)".utf8)))
    }

    /// A store name, or a path (relative to the model folder unless absolute).
    static func textFolder(_ reference: String, relativeTo folder: URL) throws -> URL {
        guard reference.contains("/") else { return try ModelStore.folder(named: reference) }
        return reference.hasPrefix("/") ? URL(fileURLWithPath: reference) : folder.appendingPathComponent(reference)
    }
}
