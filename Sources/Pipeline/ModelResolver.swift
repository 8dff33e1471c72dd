import Encoders
import Foundation
import OODCore

/// What every stage calls with the user's `--model`: `builtin` (the default, fitted on first use) or a
/// model folder.
///
/// A model is loaded once per process and shared: `oodsynth run` has embed, caption and filter ask
/// for the same model, and gets one copy of its weights. The phases of a run use it from one stage
/// at a time (embed; then caption; then filter).
public enum ModelResolver {
    public static func load(_ spec: String, diagnostics: Diagnostics) throws -> ModelLoader.Loaded {
        try cache.value(for: spec) {
            guard spec == DefaultBuiltinModel.name else { return try ModelLoader.load(spec) }
            let folder = try DefaultBuiltinModel.folder(diagnostics: diagnostics)
            return try ModelLoader.load(folder.path, name: DefaultBuiltinModel.name)
        }
    }

    private static let cache = Cache()

    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var loaded: [String: ModelLoader.Loaded] = [:]

        func value(for spec: String, load: () throws -> ModelLoader.Loaded) throws -> ModelLoader.Loaded {
            lock.lock()
            defer { lock.unlock() }
            if let model = loaded[spec] { return model }
            let model = try load()
            loaded[spec] = model
            return model
        }
    }
}
