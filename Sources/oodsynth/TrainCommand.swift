import ArgumentParser
import Foundation
import LinearAlgebra
import OODCore
import Pipeline
import Training

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Learn an OOD adapter from the ID set and synthetic outliers (negative prototypes + a residual adapter).",
        discussion: """
        On frozen embeddings of --model, learns ID prototypes (from the class prompts), K negative \
        prototypes (k-means of the synthetic captions) and a residual image adapter \
        a(x) = normalize(x + W2 relu(W1 x + b1)), W2 starting at zero so training starts at zero-shot. \
        Logits are s * a(x) . [P; N]; the ID score is the ID classes' share of their softmax. Loss: \
        cross-entropy of ID images to their class; of synthetic images and captions to their negative \
        (x --synthetic-weight); -log negative mass of the gap vectors (x --gap-weight); a diversity \
        term between negatives; anchors to the initial prototypes. For every outlier weight λ \
        (--outlier-weights, 0 included) and epoch it scores a validation fold (every 5th ID image per \
        class and synthetic sample, never a test set) and keeps the best validation AUROC among \
        candidates that keep the untrained validation accuracy; the untrained start is a candidate, \
        so the adapter is never worse than none on validation. ID-train is what decode reads (class \
        folders give the labels); each --synthetic is a folder written by oodsynth write (img.npy, \
        txt.npy, emb.npy). Writes ADAPTER_DIR/config.json and adapter.safetensors \
        (scripts/oodsynth_adapter.py loads it in PyTorch).

        Examples:
          oodsynth train --id-train data/train --synthetic out/demo --out models/adapter
          oodsynth train --model ~/models/clip-vit-base-patch32 --id-train train.tar --synthetic out/a \\
              --synthetic out/b --out adapter --epochs 20 --outlier-weights 0,0.5,1
        """)

    @Option(help: "builtin, a folder from oodsynth fit, or a CLIP folder: the model the synthetic sets were embedded with.")
    var model = "builtin"

    @Option(help: "ID training set (repeatable).")
    var idTrain: [String] = []

    @Option(help: "A synthetic set written by oodsynth write (repeatable).")
    var synthetic: [String] = []

    @Option(help: "Folder to write the adapter to.")
    var out: String

    @Flag(help: "Replace an adapter folder that exists.")
    var overwrite = false

    @Option(help: "Class prompt whose embedding starts each prototype; {label} is the class name.")
    var prompt = "a photo of a {label}"

    @Option(help: "Negative prototypes K (default: as many as classes).")
    var negatives: Int?

    @Option(help: "Hidden width of the adapter (default: dimension / 4).")
    var hidden: Int?

    @Option(help: "Logit scale s (default: fitted to the zero-shot ID-train fold; CLIP's is 100).")
    var scale: Float?

    @Option(help: "Epochs per outlier weight.")
    var epochs = 10

    @Option(help: "Epochs at the start that train the negatives alone.")
    var warmupEpochs = 1

    @Option(help: "ID images per step.")
    var batch = 256

    @Option(name: .customLong("lr"), help: "AdamW learning rate.")
    var learningRate: Float = 1e-3

    @Option(help: "AdamW weight decay of the adapter's matrices.")
    var weightDecay: Float = 1e-4

    @Option(help: "Outlier weights λ to try, comma-separated (0 trains on ID alone).")
    var outlierWeights = "0,0.25,0.5,1"

    @Option(help: "Weight of the synthetic images' and captions' cross-entropy.")
    var syntheticWeight: Float = 0.5

    @Option(help: "Weight of the gap vectors' negative-mass loss.")
    var gapWeight: Float = 0.1

    @Option(help: "Weight of the diversity term between negatives.")
    var diversityWeight: Float = 0.2

    @Option(help: "Weight of the anchors to the initial prototypes.")
    var anchorWeight: Float = 1

    @Option(help: "Seed of the adapter's start, k-means and the shuffles.")
    var seed: UInt64 = 0

    @OptionGroup var common: CommonOptions

    var options: AdapterTrainer.Options {
        var options = AdapterTrainer.Options()
        (options.negatives, options.hidden, options.scale) = (negatives, hidden, scale)
        (options.epochs, options.warmupEpochs, options.batch) = (epochs, warmupEpochs, batch)
        (options.learningRate, options.weightDecay) = (learningRate, weightDecay)
        options.outlierWeights = outlierWeights.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) ?? -1 }
        (options.syntheticWeight, options.gapWeight) = (syntheticWeight, gapWeight)
        (options.diversityWeight, options.anchorWeight, options.seed) = (diversityWeight, anchorWeight, seed)
        return options
    }

    func validate() throws {
        guard !idTrain.isEmpty, !synthetic.isEmpty else { throw ValidationError("--id-train and --synthetic are required") }
        guard prompt.contains("{label}") else { throw ValidationError("--prompt must contain {label}") }
        let problems = options.problems
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
    }

    func run() throws {
        try reportingFailure("train") {
            let destination = URL(fileURLWithPath: out)
            try prepare(destination)
            try SetEmbedder.checkInputs(idTrain)
            let diagnostics = Diagnostics(quiet: common.quiet)
            let loaded = try ModelResolver.load(model, diagnostics: diagnostics)
            guard loaded.image != nil else { throw PipelineError.invalidOption("--model \(model) has no image tower") }
            let identity = loaded.text.identity
            // The synthetic sets first: they are quick to read and the likelier to be wrong.
            let sets = try synthetic.map { try SyntheticSet.read($0, model: identity) }
            for set in sets where !set.skipped.isEmpty {
                diagnostics.warn("train: \(set.name): skipped " + set.skipped.sorted { $0.key < $1.key }.map { "\($0.value) without \($0.key)" }.joined(separator: ", "))
            }
            let embedder = try SetEmbedder(model: model, diagnostics: diagnostics, command: "train")
            defer { embedder.removeScratch() }
            let id = try embedder.embed("ID-train", idTrain)
            let classes = Array(Set(id.labels.compactMap { $0 })).sorted()
            guard classes.count >= 2 else {
                throw PipelineError.inputFailed(idTrain.joined(separator: ", "), reason: "needs at least 2 classes (class folders), found \(classes.count)")
            }
            let labelled = id.labels.indices.filter { id.labels[$0] != nil }
            let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            let prompts = try loaded.text.embed(texts: classes.map { prompt.replacingOccurrences(of: "{label}", with: $0.replacingOccurrences(of: "_", with: " ")) })
            let data = TrainingData(
                classes: classes, prompts: try Self.matrix(prompts, identity.dimension),
                idImages: try Self.matrix(labelled.map { id.embeddings[$0] }, identity.dimension),
                idLabels: labelled.map { classIndex[id.labels[$0]!]! },
                syntheticImages: try Self.matrix(sets.flatMap(\.images), identity.dimension),
                syntheticCaptions: try Self.matrix(sets.flatMap(\.captions), identity.dimension),
                syntheticGaps: try Self.matrix(sets.flatMap(\.gaps), identity.dimension))
            let trainer = AdapterTrainer(options: options)
            let (adapter, record) = try trainer.train(data) { diagnostics.progress($0) }
            var inputs = ["ID-train: " + idTrain.joined(separator: ", "): labelled.count]
            for set in sets { inputs["synthetic: " + set.name] = set.count }
            let config = AdapterFolder.Config(
                baseModel: identity, classes: classes, scale: record.scale, recipe: Self.recipe, options: trainer.options,
                training: record, inputs: inputs, kernel: GEMMKernel.name)
            do {
                try AdapterFolder(config: config, adapter: adapter).write(to: destination)
            } catch {
                throw PipelineError.outputFailed(out, reason: "\(error)")
            }
            let untrained = record.candidates[0], chosen = record.selected
            diagnostics.info(String(format: "train: wrote %@: λ %.2f, epoch %d; validation AUROC %.2f (untrained %.2f), accuracy %.3f (untrained %.3f)",
                                    out, chosen.outlierWeight, chosen.epoch, chosen.auroc, untrained.auroc, chosen.accuracy, untrained.accuracy))
        }
    }

    static let recipe = "oodsynth contrastive adapter v1: CE(ID -> class over [P;N]) + λ (w_syn CE(synthetic image and caption -> nearest initial negative) "
        + "+ w_gap -log negative mass of gaps) + w_div mean relu(cos(N_p, N_q)) + w_anchor anchors; AdamW; (λ, epoch) chosen on validation folds"

    static func matrix(_ rows: [[Float]], _ dimension: Int) throws -> Matrix {
        try Matrix(rows: rows.count, columns: dimension, values: rows.flatMap { $0 })
    }

    private func prepare(_ destination: URL) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: destination.path) else { return }
        guard overwrite else { throw PipelineError.outputFailed(out, reason: "exists; pass --overwrite to replace an earlier adapter") }
        let contents = Set((try? manager.contentsOfDirectory(atPath: destination.path)) ?? [])
        guard contents.isSubset(of: ["config.json", "adapter.safetensors"]) else {
            throw PipelineError.outputFailed(out, reason: "is not an adapter folder from oodsynth train; --overwrite replaces only those")
        }
        try manager.removeItem(at: destination)
    }
}
