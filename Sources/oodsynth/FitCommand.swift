import ArgumentParser
import Encoders
import Foundation
import OODCore
import Pipeline

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit the builtin image tower on an ID stream and write a model folder.",
        discussion: """
        Learns image features from the ID images themselves (whitened k-means patch dictionary with \
        soft-threshold encoding and spatial pooling, after Coates & Ng 2011, plus colour statistics), \
        then a ridge-regression map of those features into the text tower's space, fitted on the \
        stream's image/caption pairs (captions from txt, else the prompt with the class label). No \
        pretrained image weights. MODEL_DIR gets config.json and model.safetensors; every stage loads it \
        with --model MODEL_DIR. --model builtin is this fit with default options on \
        Samples/openclipart-12.tar, done on first use and cached.

        --hold-out F keeps that fraction of every class out of fitting and reports zero-shot accuracy \
        (nearest class prompt) and image->caption recall@5 on it, with chance levels. The same input, \
        options and seed give a byte-identical folder.

        Examples:
          oodsynth decode Samples/openclipart-12.tar | oodsynth fit --out models/clipart
          oodsynth decode photos/ -o id.tar && oodsynth fit id.tar --out models/photos --hold-out 0.2
          oodsynth embed --model models/photos < id.tar > embedded.tar
        """)

    @Argument(help: "The ID stream (a tar from decode or embed); - or nothing reads stdin.")
    var input: String?

    @Option(help: "Folder to write the model to.")
    var out: String

    @Option(help: "Text tower: a model-store name or a sentence-transformers folder.")
    var textModel = ModelStore.minilmFolderName

    @Option(help: "Fraction of each class kept out of fitting and scored (0 fits on everything).")
    var holdOut = 0.0

    @Option(help: "Seed of the patch sampling and k-means initialization.")
    var seed: UInt64 = 0

    @Option(help: "Caption for samples without txt, and the zero-shot class prompt.")
    var prompt = "a picture of a {label}"

    @Option(help: "Side of the square thumbnail features are computed on.")
    var imageSize = BuiltinImageConfig().imageSize

    @Option(help: "Side of the square patches.")
    var patchSize = BuiltinImageConfig().patchSize

    @Option(help: "Size of the k-means patch dictionary.")
    var centroids = BuiltinImageConfig().centroids

    @Option(help: "Patches sampled to learn whitening and dictionary.")
    var patchSamples = BuiltinImageConfig().patchSamples

    @Option(help: "k-means iterations.")
    var kmeansIterations = BuiltinImageConfig().kmeansIterations

    @Option(help: "Ridge penalty of the map into the text space.")
    var ridge = BuiltinImageConfig().ridge

    @Flag(inversion: .prefixedNo, help: "Also fit on the mirror image of every image.")
    var mirror = BuiltinImageConfig().mirror

    @Option(help: "Image decoding threads (default: the number of cores). The model does not depend on it.")
    var workers: Int?

    @Flag(help: "Replace an existing model folder at --out.")
    var overwrite = false

    @OptionGroup var common: CommonOptions

    var imageConfig: BuiltinImageConfig {
        var config = BuiltinImageConfig()
        config.imageSize = imageSize
        config.patchSize = patchSize
        config.centroids = centroids
        config.patchSamples = patchSamples
        config.kmeansIterations = kmeansIterations
        config.ridge = ridge
        config.mirror = mirror
        return config
    }

    func validate() throws {
        let problems = imageConfig.problems
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
        guard (0.0..<1.0).contains(holdOut) else { throw ValidationError("--hold-out must be at least 0 and below 1") }
        guard prompt.contains("{label}") else { throw ValidationError("--prompt must contain {label}") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        try StageRunner.run("fit", quiet: common.quiet, input: .some(input), make: makeStage)
    }

    /// The fit as a pipeline stage: reads the ID stream, writes the model folder at --out.
    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        let destination = URL(fileURLWithPath: out)
        try prepare(destination)
        let textFolder = textModel.contains("/")
            ? URL(fileURLWithPath: textModel).standardizedFileURL : try ModelStore.folder(named: textModel)
        let text = try SentenceEncoder(folder: textFolder)
        var options = FitStage.Options()
        options.image = imageConfig
        options.seed = seed
        options.holdOut = holdOut
        options.prompt = prompt
        if let input, input != "-" { options.inputSHA256 = try WeightsDigest.sha256(of: input) }
        let stage = FitStage(text: text, textReference: textModel.contains("/") ? textFolder.path : textModel,
                             options: options, diagnostics: diagnostics)
        let (workers, overwrite) = (self.workers ?? ProcessInfo.processInfo.activeProcessorCount, self.overwrite)
        return PipelineStage(name: "fit") { input, name, _ in
            guard let input else { throw PipelineError.unconnected("fit") }
            let result = try stage.run(reading: input, inputName: name, workers: workers, name: destination.lastPathComponent)
            if overwrite { try? FileManager.default.removeItem(at: destination) }
            try result.model.write(to: destination)
            return result.summary.description + "\nfit: wrote \(destination.path) (\(result.model.identity))"
        }
    }

    /// Refuses to replace anything but an earlier model folder, and that only with --overwrite.
    private func prepare(_ destination: URL) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: destination.path) else { return }
        let contents = (try? manager.contentsOfDirectory(atPath: destination.path)) ?? []
        if contents.isEmpty {
            try manager.removeItem(at: destination)
            return
        }
        guard overwrite else {
            throw PipelineError.outputFailed(out, reason: "exists and is not empty; pass --overwrite to replace an earlier model")
        }
        let config = manager.contents(atPath: destination.appendingPathComponent("config.json").path)
            .flatMap { try? JSONDecoder().decode(BuiltinModelConfig.self, from: $0) }
        guard config != nil, Set(contents).isSubset(of: ["config.json", "model.safetensors"]) else {
            throw PipelineError.outputFailed(out, reason: "is not a model folder from oodsynth fit; --overwrite replaces only those")
        }
    }
}
