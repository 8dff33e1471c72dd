import ArgumentParser
import Foundation
import OODCore
import Pipeline
import Training

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a stream with a trained adapter: how in-distribution each sample is.",
        discussion: """
        Adds to each sample's json an `ood` object: id_score (the ID classes' share of the adapter's \
        softmax; higher is more in-distribution), class (the most likely ID class) and \
        class_probability (its probability among the ID classes). Samples with img.npy are scored \
        from it; others have their image embedded with --model. Everything else passes through. The \
        adapter must have been trained on --model.

        Examples:
          oodsynth decode incoming/ | oodsynth embed | oodsynth score --adapter models/adapter > scored.tar
          oodsynth score --model ~/models/clip-vit-base-patch32 --adapter adapter -i embedded.tar -o scored.tar
        """)

    @Option(help: "builtin, a folder from oodsynth fit, or a CLIP folder: the adapter's base model.")
    var model = "builtin"

    @Option(help: "Folder written by oodsynth train.")
    var adapter: String

    @Option(help: "Samples scored together.")
    var batch = 64

    @OptionGroup var stream: StreamOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        try StageRunner.run("score", quiet: common.quiet, input: .some(stream.input), output: .some(stream.output), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        let loaded = try ModelResolver.load(model, diagnostics: diagnostics)
        let folder = try AdapterFolder.read(URL(fileURLWithPath: adapter), baseModel: loaded.text.identity)
        var options = ScoreStage.Options()
        (options.batch, options.model, options.adapter) = (batch, model, adapter)
        let stage = ScoreStage(adapter: folder, image: loaded.image, options: options, diagnostics: diagnostics)
        return PipelineStage(name: "score") { input, name, output in
            guard let input, var output else { throw PipelineError.unconnected("score") }
            return try stage.run(reading: input, inputName: name, into: &output)
        }
    }
}
