import Encoders
import OODCore

/// What every stage calls with the user's `--model`: `builtin` (the default, fitted on first use) or a
/// model folder.
public enum ModelResolver {
    public static func load(_ spec: String, diagnostics: Diagnostics) throws -> ModelLoader.Loaded {
        guard spec == DefaultBuiltinModel.name else { return try ModelLoader.load(spec) }
        let folder = try DefaultBuiltinModel.folder(diagnostics: diagnostics)
        return try ModelLoader.load(folder.path, name: DefaultBuiltinModel.name)
    }
}
