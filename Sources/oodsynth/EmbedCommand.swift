import ArgumentParser
import Encoders
import Foundation
import OODCore
import Pipeline
import WebDataset

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Add image and caption embeddings (img.npy, txt.npy) to a sample stream.",
        discussion: """
        --model builtin uses the embedded default: all-MiniLM-L6-v2 for captions (installed by \
        scripts/setup, found in $OODSYNTH_MODELS) and an image tower fitted on the bundled Samples \
        (see oodsynth fit; fitted on first use, then cached). It is a small, honest default, not a \
        CLIP. --model DIR loads a folder written by oodsynth fit. --model PATH also loads a Hugging Face CLIP folder \
        (config.json, model.safetensors, vocab.json + merges.txt or tokenizer.json), such as \
        openai/clip-vit-base-patch32, or a sentence-transformers folder. Embeddings are float32 .npy, \
        L2-normalized; the model's name, weights sha256 and dimension go into the stream header.

        Examples:
          oodsynth decode Samples/openclipart-12.tar | oodsynth embed --model ~/models/clip-vit-base-patch32 > embedded.tar
          oodsynth embed --model builtin --input samples.tar --output embedded.tar
        """)

    @Option(help: "builtin, a folder from oodsynth fit, or a Hugging Face CLIP or sentence-transformers folder.")
    var model = "builtin"

    @Option(help: "Samples embedded together.")
    var batch = 32

    @OptionGroup var stream: StreamOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        try StageRunner.run("embed", quiet: common.quiet, input: .some(stream.input), output: .some(stream.output), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        let loaded = try ModelResolver.load(model, diagnostics: diagnostics)
        var options = EmbedStage.Options()
        options.batch = batch
        options.model = model
        let stage = EmbedStage(text: loaded.text, image: loaded.image, options: options, diagnostics: diagnostics)
        return PipelineStage(name: "embed") { input, name, output in
            guard let input, var output else { throw PipelineError.unconnected("embed") }
            return try stage.run(reading: input, inputName: name, into: &output).description
        }
    }
}
