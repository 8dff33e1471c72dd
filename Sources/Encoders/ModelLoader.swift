import Foundation

/// Turns a model folder into encoders, by what its `config.json` says it is: `model_type` "clip" (a
/// Hugging Face CLIP folder), "bert" (a sentence-transformers folder, text only) or "oodsynth-builtin"
/// (a folder written by `oodsynth fit`). `builtin` itself is resolved to a folder by the pipeline,
/// which fits the default on first use.
public enum ModelLoader {
    public struct Loaded {
        public let text: TextEncoder
        /// nil for text-only models.
        public let image: ImageEncoder?
    }

    /// `name` overrides the identity's name (the default builtin folder is called `builtin`).
    public static func load(_ path: String, name: String? = nil) throws -> Loaded {
        let folder = URL(fileURLWithPath: path)
        let type = try modelType(of: path)
        switch type {
        case "clip":
            let encoder = try CLIPEncoder(folder: folder)
            return Loaded(text: encoder, image: encoder)
        case "bert":
            return Loaded(text: try SentenceEncoder(folder: folder, name: name), image: nil)
        case BuiltinModelConfig.modelType:
            let model = try BuiltinModel(folder: folder, name: name)
            return Loaded(text: model, image: model)
        default:
            throw EncoderError.unknownModel(path: path, reason: "model_type \(type.map { "\"\($0)\"" } ?? "missing") is not clip, bert or \(BuiltinModelConfig.modelType)")
        }
    }

    /// The `model_type` of the folder's `config.json` (nil when it has none).
    public static func modelType(of path: String) throws(EncoderError) -> String? {
        let configURL = URL(fileURLWithPath: path).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw .unknownModel(path: path, reason: "no config.json (expected a Hugging Face model folder, a folder from oodsynth fit, or builtin)")
        }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["model_type"] as? String
    }
}
