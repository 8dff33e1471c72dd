import Foundation

/// Turns what the user typed after `--model` into encoders: `builtin`, or a folder whose
/// `config.json` says what it is (`model_type` "clip", or a BERT sentence-transformers folder).
public enum ModelLoader {
    public struct Loaded {
        public let text: TextEncoder
        /// nil for text-only models (the builtin default until its image tower is fitted).
        public let image: ImageEncoder?
    }

    public static func load(_ spec: String) throws -> Loaded {
        if spec == "builtin" {
            let folder = try ModelStore.folder(named: ModelStore.minilmFolderName)
            return Loaded(text: try SentenceEncoder(folder: folder, name: "builtin/\(ModelStore.minilmFolderName)"), image: nil)
        }
        let folder = URL(fileURLWithPath: spec)
        let configURL = folder.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw EncoderError.unknownModel(path: spec, reason: "no config.json (expected a Hugging Face model folder or builtin)")
        }
        let type = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["model_type"] as? String
        switch type {
        case "clip":
            let encoder = try CLIPEncoder(folder: folder)
            return Loaded(text: encoder, image: encoder)
        case "bert":
            return Loaded(text: try SentenceEncoder(folder: folder), image: nil)
        default:
            throw EncoderError.unknownModel(path: spec, reason: "model_type \(type.map { "\"\($0)\"" } ?? "missing") is not clip or bert")
        }
    }
}
