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

        --backend worker:CMD runs a CLIP --model's towers in a child process (sh -c CMD) instead, such \
        as scripts/embed-worker.py on a GPU: oodsynth decodes, resizes and crops the images and sends \
        their pixels, the worker sends back the embeddings (JSON Lines; the script documents the \
        protocol). The worker must load the --model folder; the header names that folder as native \
        embed would, so the stream goes on to gaps, caption and filter with --model.

        Examples:
          oodsynth decode Samples/openclipart-12.tar | oodsynth embed --model ~/models/clip-vit-base-patch32 > embedded.tar
          oodsynth embed --model builtin --input samples.tar --output embedded.tar
          oodsynth decode photos/ | oodsynth embed --model /models/clip-l14 --batch 256 \\
            --backend "worker:python3 scripts/embed-worker.py --model /models/clip-l14 --dtype float16"
        """)

    @Option(help: "builtin, a folder from oodsynth fit, or a Hugging Face CLIP or sentence-transformers folder.")
    var model = "builtin"

    @Option(help: "native (oodsynth's own encoders) or worker:CMD (a CLIP --model run by a child process, e.g. on a GPU).")
    var backend = "native"

    @Option(help: "Samples embedded together.")
    var batch = 32

    @OptionGroup var stream: StreamOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        if backend != "native" {
            guard worker != nil else { throw ValidationError("--backend must be native or worker:CMD, not \(backend)") }
            guard model != DefaultBuiltinModel.name else {
                throw ValidationError("--backend worker:CMD needs --model CLIP_FOLDER (the folder the worker loads), not builtin")
            }
        }
    }

    /// The worker's command line, for `--backend worker:CMD`.
    var worker: String? {
        backend.hasPrefix("worker:") && backend.count > 7 ? String(backend.dropFirst(7)) : nil
    }

    func run() throws {
        try StageRunner.run("embed", quiet: common.quiet, input: .some(stream.input), output: .some(stream.output), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        var options = EmbedStage.Options()
        options.batch = batch
        options.model = model
        if let worker {
            return PipelineStage(name: "embed") { input, name, output in
                guard let input, var output else { throw PipelineError.unconnected("embed") }
                // Started per run and stopped when it returns: in `oodsynth run` the GPU is the
                // generate worker's next.
                let encoder = try WorkerEncoder(folder: URL(fileURLWithPath: model), command: worker)
                var options = options
                options.worker = backend
                options.kernel = encoder.kernel
                let stage = EmbedStage(text: encoder, image: encoder, options: options, diagnostics: diagnostics)
                return try stage.run(reading: input, inputName: name, into: &output).description
            }
        }
        let loaded = try ModelResolver.load(model, diagnostics: diagnostics)
        let stage = EmbedStage(text: loaded.text, image: loaded.image, options: options, diagnostics: diagnostics)
        return PipelineStage(name: "embed") { input, name, output in
            guard let input, var output else { throw PipelineError.unconnected("embed") }
            return try stage.run(reading: input, inputName: name, into: &output).description
        }
    }
}
