import ArgumentParser
import Foundation
import Generation
import OODCore
import Pipeline

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Make an image (png) for every captioned sample, with a diffusion backend.",
        discussion: """
        Backends:
          builtin      training-free analytic diffusion on the CPU: a patch-local closed-form denoiser \
        over the ID images nearest the gap (--references, an embedded ID stream), DDIM on a cosine \
        schedule. It needs no model weights and no GPU; it composes new mosaics of ID patches, never \
        an image within --min-reference-distance of a reference.
          worker:CMD   runs CMD (via /bin/sh -c) and speaks JSON Lines to it; scripts/diffusion-worker.py \
        runs any Stable Diffusion / SDXL folder with Hugging Face diffusers, and sends the gap embedding \
        to unCLIP or IP-Adapter pipelines.
          a1111:URL    an AUTOMATIC1111 / Forge server's /sdapi/v1/txt2img API.

        The prompt is the caption; the negative prompt is the ID classes nearest the gap. Each sample's \
        seed comes from --seed and its key. A sample whose image fails is skipped and counted.

        Examples:
          oodsynth embed -i id.tar -o embedded.tar
          oodsynth generate --references embedded.tar < captioned.tar > generated.tar
          oodsynth generate --backend "worker:python3 scripts/diffusion-worker.py --model /models/sd15" \\
              --size 512 --steps 30 -i captioned.tar -o generated.tar
          oodsynth generate --backend a1111:http://127.0.0.1:7860 --concurrency 2 < captioned.tar > generated.tar
        """)

    @Option(help: "builtin, worker:CMD or a1111:URL.")
    var backend = "builtin"

    @Option(help: "Embedded ID stream (oodsynth embed output) the builtin backend composes from.")
    var references: String?

    @Option(help: "Image width and height (default: 96 for builtin, at most 256; 512 for the others, a multiple of 8).")
    var size: Int?

    @Option(help: "Denoising steps.")
    var steps = 20

    @Option(help: "Classifier-free guidance scale; for builtin, how strongly references nearer the gap are preferred.")
    var guidance = 7.5

    @Option(help: "Seed; each sample's seed is drawn from it and the sample key.")
    var seed: UInt64 = 0

    @Option(help: "ID classes nearest the gap named in the negative prompt.")
    var negativeClasses = 3

    @Option(help: "builtin: references composed into one image.")
    var referencesPerImage = 8

    @Option(help: "builtin: at most this many of an image's references from one ID class.")
    var perClass = 3

    @Option(help: "builtin: largest shift, in pixels, of a reference patch.")
    var maxShift = 3

    @Option(help: "builtin: patch radius at full noise; patches shrink to 3x3 as the noise falls.")
    var maxPatchRadius = 4

    @Option(help: "builtin: smallest pixel RMSE (0-1) allowed to any reference; closer images are made again with new noise.")
    var minReferenceDistance = 0.1

    @Option(help: "builtin: weight of the caption's embedding beside the gap's when choosing references.")
    var captionWeight: Float = 1

    @Option(help: "builtin: reference images held (a seeded sample when the stream has more).")
    var maxReferences = 4096

    @Option(help: "builtin: threads (default: all cores).")
    var workers: Int?

    @Option(help: "worker, a1111: seconds to wait for one image.")
    var timeout = 600.0

    @Option(help: "worker: seconds to wait for the worker's handshake (loading a model takes a while).")
    var startupTimeout = 600.0

    @Option(help: "a1111: requests in flight at once.")
    var concurrency = 2

    @Option(help: "a1111: retries of a failed connection or 5xx answer, with exponential backoff.")
    var retries = 3

    @OptionGroup var stream: StreamOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard let parsed = GeneratorBackend(backend) else {
            throw ValidationError("--backend must be builtin, worker:CMD or a1111:URL, not \(backend)")
        }
        let side = size ?? parsed.defaultSize
        if case .builtin = parsed {
            guard references != nil else { throw ValidationError("--backend builtin needs --references EMBEDDED_ID_STREAM (oodsynth embed output)") }
            guard (8...256).contains(side) else { throw ValidationError("--size must be in 8...256 for the builtin backend") }
        } else {
            guard (64...2048).contains(side), side % 8 == 0 else { throw ValidationError("--size must be a multiple of 8 in 64...2048") }
        }
        guard (1...1000).contains(steps) else { throw ValidationError("--steps must be in 1...1000") }
        guard guidance >= 0, minReferenceDistance >= 0, captionWeight >= 0 else {
            throw ValidationError("--guidance, --min-reference-distance and --caption-weight must not be negative")
        }
        guard referencesPerImage >= 1, perClass >= 1, maxShift >= 0, maxPatchRadius >= 1, maxReferences >= 1, negativeClasses >= 0 else {
            throw ValidationError("--references-per-image, --per-class, --max-patch-radius and --max-references must be at least 1")
        }
        guard timeout > 0, startupTimeout > 0, concurrency >= 1, retries >= 0 else {
            throw ValidationError("--timeout, --startup-timeout and --concurrency must be positive")
        }
    }

    func run() throws {
        try StageRunner.run("generate", quiet: common.quiet, input: .some(stream.input), output: .some(stream.output), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        guard let parsed = GeneratorBackend(backend) else {
            throw PipelineError.invalidOption("--backend must be builtin, worker:CMD or a1111:URL, not \(backend)")
        }
        var settings = GeneratorFactory.Settings()
        settings.diffusion.side = size ?? parsed.defaultSize
        settings.diffusion.steps = steps
        settings.diffusion.guidance = guidance
        settings.diffusion.referencesPerImage = referencesPerImage
        settings.diffusion.perClass = perClass
        settings.diffusion.maxShift = maxShift
        settings.diffusion.maxPatchRadius = maxPatchRadius
        settings.diffusion.minReferenceDistance = minReferenceDistance
        settings.references = references
        settings.maxReferences = maxReferences
        settings.captionWeight = captionWeight
        if let workers { settings.workers = max(1, workers) }
        settings.seed = seed
        settings.timeout = timeout
        settings.startupTimeout = startupTimeout
        settings.concurrency = concurrency
        settings.retries = retries
        let made = try GeneratorFactory.make(parsed, settings: settings, openReferences: { path in
            let opened = try StreamInput.open(path)
            return (opened.reader, opened.name)
        }, diagnostics: diagnostics)
        var options = GenerateStage.Options()
        options.size = settings.diffusion.side
        options.steps = steps
        options.guidance = guidance
        options.seed = seed
        options.negativeClasses = negativeClasses
        let stage = GenerateStage(generator: made.generator, options: options, diagnostics: diagnostics, requiredModel: made.referenceModel)
        return PipelineStage(name: "generate") { input, name, output in
            // The generator (a worker process, HTTP connections) lives as long as the stage runs.
            defer { GeneratorFactory.close(made.generator) }
            guard let input, var output else { throw PipelineError.unconnected("generate") }
            return try stage.run(reading: input, inputName: name, into: &output).description
        }
    }
}
