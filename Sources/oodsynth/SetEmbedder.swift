import Foundation
import OODCore
import Pipeline

/// Decodes and embeds whole sets (folders, archives, shards, folders written by `write`) with the
/// decode and embed commands' own stages, as `run` uses them: for `evaluate` and `train`.
struct SetEmbedder {
    let model: String
    let diagnostics: Diagnostics
    let command: String
    let scratch: String
    private let quiet = Diagnostics(quiet: true)

    init(model: String, diagnostics: Diagnostics, command: String) throws {
        (self.model, self.diagnostics, self.command) = (model, diagnostics, command)
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("oodsynth-\(command)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// Every input must exist before the first set is embedded.
    static func checkInputs(_ paths: [String]) throws {
        for path in paths { _ = try EmbeddedSet.inputs(for: path).map { try DecodeInput(argument: $0) } }
    }

    func embed(_ name: String, _ paths: [String], keepImages: Bool = false) throws -> EmbeddedSet {
        let decode = try DecodeCommand.parseAsRoot(paths.flatMap(EmbeddedSet.inputs(for:)) + ["--max-side=256"]) as? DecodeCommand
        let embed = try EmbedCommand.parseAsRoot(["--model=\(model)"]) as? EmbedCommand
        guard let decode, let embed else { throw PipelineError.invalidOption("\(command): cannot set up decode and embed") }
        let set = try EmbeddedSet.load(name: name, paths: paths, decode: try decode.makeStage(diagnostics: quiet),
                                       embed: try embed.makeStage(diagnostics: quiet),
                                       scratch: scratch, runner: Runner(diagnostics: quiet), keepImages: keepImages)
        diagnostics.info("\(command): \(name): \(set.embeddings.count) images embedded")
        return set
    }

    func removeScratch() {
        try? FileManager.default.removeItem(atPath: scratch)
    }
}
