import Encoders
import Foundation
import OODCore

/// `--model builtin`: the builtin model fitted with default options on the bundled
/// Samples/openclipart-12.tar. Fitted on first use (a few seconds) and cached in the first writable
/// model store; every fit gives the same bytes, and a cache made from other Samples or by an older
/// recipe is fitted again. Processes that start together wait on a lock instead of fitting twice.
public enum DefaultBuiltinModel {
    public static let folderName = "oodsynth-builtin"
    public static let samplesPath = "Samples/openclipart-12.tar"
    /// The identity name of the default, whatever folder holds it.
    public static let name = "builtin"

    /// The folder of the default builtin model, fitted first if no valid cache exists.
    public static func folder(diagnostics: Diagnostics) throws -> URL {
        let samples = ModelStore.binaryAncestors.map { $0.appendingPathComponent(samplesPath) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        let digest = try samples.map { try WeightsDigest.sha256(of: $0.path) }
        if let cached = cachedFolder(samplesDigest: digest, in: ModelStore.searchPaths) { return cached }
        guard let samples, let digest else {
            throw EncoderError.modelNotInstalled(
                name: "\(folderName) (the builtin model; \(samplesPath) to fit it from was not found either)",
                searched: ModelStore.searchPaths.map(\.path))
        }
        let store = try writableStore()
        let lock = try FileLock(path: store.appendingPathComponent(".\(folderName).lock").path)
        defer { lock.unlock() }
        // Someone else may have fitted it while this process waited for the lock.
        if let cached = cachedFolder(samplesDigest: digest, in: [store]) { return cached }
        let destination = store.appendingPathComponent(folderName)
        diagnostics.info("builtin: fitting the default image tower on \(samples.path) (first use; cached in \(destination.path))")
        let model = try fit(samples: samples, digest: digest, diagnostics: diagnostics)
        try? FileManager.default.removeItem(at: destination)
        try model.write(to: destination)
        return destination
    }

    /// Fits the default builtin model on the Samples archive, decoding it in-process.
    static func fit(samples: URL, digest: String, diagnostics: Diagnostics) throws -> BuiltinModel {
        let text = try SentenceEncoder(folder: try ModelStore.folder(named: ModelStore.minilmFolderName))
        var options = FitStage.Options()
        options.inputSHA256 = digest
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let collector = FitCollector(inputName: samples.path, imageSize: options.image.imageSize, workers: workers, diagnostics: diagnostics)
        var decodeOptions = DecodeStage.Options()
        decodeOptions.workers = workers
        var sink = collector
        _ = try DecodeStage(inputs: [.archive(samples.path)], options: decodeOptions, diagnostics: Diagnostics(quiet: true))
            .run(into: &sink)
        collector.finish()
        let stage = FitStage(text: text, textReference: ModelStore.minilmFolderName, options: options, diagnostics: diagnostics)
        return try stage.fit(collector, name: name).model
    }

    private static func cachedFolder(samplesDigest: String?, in stores: [URL]) -> URL? {
        for store in stores {
            let folder = store.appendingPathComponent(folderName)
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("config.json").path),
                  let config = try? JSONDecoder().decode(BuiltinModelConfig.self, from: data),
                  config.version == BuiltinModelConfig.currentVersion else { continue }
            // Without Samples at hand (an installed binary) any cache of the current recipe will do.
            if samplesDigest == nil || config.fit.inputSHA256 == samplesDigest { return folder }
        }
        return nil
    }

    /// $OODSYNTH_MODELS if set; else the store that holds the text tower (the checkout's `.models`
    /// after scripts/setup); else the first existing writable store; else the per-user one.
    private static func writableStore() throws -> URL {
        let manager = FileManager.default
        func usable(_ store: URL, create: Bool) -> Bool {
            if create { try? manager.createDirectory(at: store, withIntermediateDirectories: true) }
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: store.path, isDirectory: &isDirectory) && isDirectory.boolValue
                && manager.isWritableFile(atPath: store.path)
        }
        if let explicit = ProcessInfo.processInfo.environment["OODSYNTH_MODELS"], !explicit.isEmpty {
            let store = URL(fileURLWithPath: explicit)
            if usable(store, create: true) { return store }
        }
        if let text = try? ModelStore.folder(named: ModelStore.minilmFolderName).deletingLastPathComponent(),
           usable(text, create: false) {
            return text
        }
        if let existing = ModelStore.searchPaths.first(where: { usable($0, create: false) }) { return existing }
        if let home = ModelStore.searchPaths.last, usable(home, create: true) { return home }
        throw EncoderError.unreadable(path: ModelStore.searchPaths.map(\.path).joined(separator: ", "),
                                      reason: "no model store is writable to cache the builtin model; set OODSYNTH_MODELS")
    }
}
