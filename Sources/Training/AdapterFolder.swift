import Foundation
import LinearAlgebra
import OODCore

/// An adapter on disk: `config.json` (what it is, for which base model, how it was trained and
/// chosen) and `adapter.safetensors` (the parameters, under `AdapterParameters.tensorNames`).
/// Written to `NAME.partial` and renamed, so a folder that exists is complete.
public struct AdapterFolder {
    public static let modelType = "oodsynth-adapter"
    public static let currentVersion = 1

    public struct Config: Codable, Equatable, Sendable {
        public var modelType = AdapterFolder.modelType
        public var version = AdapterFolder.currentVersion
        /// The base model whose embedding space the adapter works in; any other is refused.
        public var baseModel: ModelIdentity
        public var classes: [String]
        public var scale: Float
        public var recipe: String
        public var options: AdapterTrainer.Options
        public var training: AdapterTrainer.Record
        /// The inputs: the ID set and each synthetic set, by path and sample count.
        public var inputs: [String: Int]
        /// The matrix-product kernel (GEMMKernel.name): the same inputs, seed and kernel give the same bytes.
        public var kernel: String

        public init(baseModel: ModelIdentity, classes: [String], scale: Float, recipe: String, options: AdapterTrainer.Options,
                    training: AdapterTrainer.Record, inputs: [String: Int], kernel: String) {
            (self.baseModel, self.classes, self.scale, self.recipe) = (baseModel, classes, scale, recipe)
            (self.options, self.training, self.inputs, self.kernel) = (options, training, inputs, kernel)
        }

        enum CodingKeys: String, CodingKey {
            case modelType = "model_type", version, baseModel = "base_model", classes, scale, recipe, options, training, inputs, kernel
        }
    }

    public var config: Config
    public var adapter: OODAdapter

    public init(config: Config, adapter: OODAdapter) {
        (self.config, self.adapter) = (config, adapter)
    }

    /// Writes the folder at `url` (which must not exist yet).
    public func write(to url: URL) throws {
        let partial = url.appendingPathExtension("partial")
        try? FileManager.default.removeItem(at: partial)
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        var writer = SafeTensorsWriter()
        for (name, tensor) in zip(AdapterParameters.tensorNames, adapter.parameters.tensors) {
            try writer.add(name, shape: name == "adapter.b1" ? [tensor.columns] : tensor.shape, values: tensor.values)
        }
        writer.setMetadata("format", "pt")
        try Data(writer.bytes()).write(to: partial.appendingPathComponent("adapter.safetensors"))
        try Data(try CanonicalJSON.encode(config, pretty: true)).write(to: partial.appendingPathComponent("config.json"))
        try FileManager.default.moveItem(at: partial, to: url)
    }

    /// Reads the folder at `url`, refusing anything but an oodsynth adapter for `baseModel` (when given).
    public static func read(_ url: URL, baseModel: ModelIdentity? = nil) throws(TrainingError) -> AdapterFolder {
        let path = url.path
        let config: Config
        do {
            let data = try Data(contentsOf: url.appendingPathComponent("config.json"))
            config = try JSONDecoder().decode(Config.self, from: data)
        } catch {
            throw .badAdapter("\(path): not an oodsynth adapter folder (config.json: \(error))")
        }
        guard config.modelType == modelType else { throw .badAdapter("\(path): model_type is \"\(config.modelType)\", not \(modelType)") }
        guard config.version <= currentVersion else { throw .badAdapter("\(path): adapter version \(config.version) is newer than this oodsynth") }
        if let baseModel, baseModel.weightsSHA256 != config.baseModel.weightsSHA256 {
            throw .badAdapter("\(path) was trained on \(config.baseModel), not \(baseModel)")
        }
        let (c, d) = (config.classes.count, config.baseModel.dimension)
        let k = config.training.negatives, h = config.training.hidden
        do {
            let file = try SafeTensors(url: url.appendingPathComponent("adapter.safetensors"))
            let parameters = try AdapterParameters(
                prototypes: try file.matrix("prototypes", shape: [c, d]), negatives: try file.matrix("negatives", shape: [k, d]),
                w1: try file.matrix("adapter.w1", shape: [h, d]), b1: try file.matrix("adapter.b1", shape: [h]),
                w2: try file.matrix("adapter.w2", shape: [d, h]))
            return AdapterFolder(config: config, adapter: OODAdapter(parameters: parameters, scale: config.scale))
        } catch let error as TrainingError {
            throw .badAdapter("\(path): \(error)")
        } catch {
            throw .badAdapter("\(path)/adapter.safetensors: \(error)")
        }
    }
}
