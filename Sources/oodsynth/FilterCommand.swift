import ArgumentParser
import Curation
import Foundation
import OODCore
import Pipeline
import WebDataset

struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Keep the generated samples whose image matches its caption and lies truly outside the ID set.",
        discussion: """
        Embeds each generated image with --model (the model the stream was embedded with) and keeps a \
        sample only if all of these hold:
          alignment   cosine(image, its caption) >= --min-alignment
          rank        its caption is among the --rank best captions of the batch for the image
          id-like     its largest cosine to an ID class prototype <= --max-id-similarity
          not-novel   its distance (1 - cosine) to the k-th nearest ID image >= --min-novelty
          copies-id   no ID image within cosine --dedup
          duplicate   no earlier kept sample within cosine --dedup

        A threshold is a value (0.25), a quantile of the batch's own scores (q0.5: the batch median), or \
        a percentile of the ID set's scores (p95: the 95th percentile of the ID images' own k-th-NN \
        distances; for --max-id-similarity, of the ID images' own largest prototype cosine). Raw \
        cosines differ between models; q and p thresholds carry over.

        Kept samples gain img.npy and a filter object in json with every score and threshold. Rejected \
        samples are counted by reason on stderr and, with --rejects FILE, written there as a stream.

        Examples:
          oodsynth filter --references embedded.tar < generated.tar > kept.tar
          oodsynth filter --model ~/models/clip-vit-base-patch32 --references embedded.tar \\
              --min-alignment 0.22 --min-novelty p90 --rejects rejected.tar -i generated.tar -o kept.tar
        """)

    @Option(help: "builtin, a folder written by oodsynth fit, or a Hugging Face CLIP folder: the stream's model.")
    var model = "builtin"

    @Option(help: "Embedded ID stream (oodsynth embed output) to measure novelty against.")
    var references: String

    @Option(help: "Smallest image-caption cosine: a value, qQ (batch quantile) or pP (ID percentile).")
    var minAlignment = "q0.25"

    @Option(help: "The caption must be among this many best captions of the batch for its image.")
    var rank = 5

    @Option(name: .customLong("max-id-similarity"), help: "Largest cosine to an ID class prototype: a value, qQ or pP.")
    var maxIDSimilarity = "p50"

    @Option(help: "Smallest distance (1 - cosine) to the k-th nearest ID image: a value, qQ or pP.")
    var minNovelty = "p95"

    @Option(help: "Cosine at which a sample copies an ID image or an earlier kept sample.")
    var dedup: Float = 0.95

    @Option(help: "Images per batch (embedding, ranks and q thresholds).")
    var batch = 64

    @Option(help: "Write rejected samples, with their scores and reason, to this stream.")
    var rejects: String?

    @OptionGroup var stream: StreamOptions

    @OptionGroup var common: CommonOptions

    func thresholds() throws -> FilterThresholds {
        var thresholds = FilterThresholds()
        for (name, text, keyPath) in [("--min-alignment", minAlignment, \FilterThresholds.minAlignment),
                                      ("--max-id-similarity", maxIDSimilarity, \FilterThresholds.maxIDSimilarity),
                                      ("--min-novelty", minNovelty, \FilterThresholds.minNovelty)] {
            guard let threshold = Threshold(text) else {
                throw ValidationError("\(name) must be a number, qQ with Q in 0...1, or pP with P in 0...100; not \(text)")
            }
            thresholds[keyPath: keyPath] = threshold
        }
        if case .idPercentile = thresholds.minAlignment {
            throw ValidationError("--min-alignment takes a value or qQ: the ID set has no caption of a generated image to rank")
        }
        thresholds.rank = rank
        thresholds.dedup = dedup
        return thresholds
    }

    func validate() throws {
        _ = try thresholds()
        guard rank >= 1, batch >= 1 else { throw ValidationError("--rank and --batch must be at least 1") }
        guard dedup.isFinite, dedup > 0, dedup <= 1 else { throw ValidationError("--dedup must be in (0, 1]") }
    }

    func run() throws {
        try StageRunner.run("filter", quiet: common.quiet, input: .some(stream.input), output: .some(stream.output), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        let loaded = try ModelResolver.load(model, diagnostics: diagnostics)
        guard let image = loaded.image else {
            throw PipelineError.invalidOption("--model \(model) has no image tower; filter needs one to embed the generated images")
        }
        var options = FilterStage.Options()
        options.thresholds = try thresholds()
        options.batch = batch
        options.model = model
        let stage = FilterStage(image: image, model: loaded.text.identity, options: options, diagnostics: diagnostics)
        let idSource = try StreamInput.open(references)
        let reference = try stage.loadReference(reading: idSource.reader, inputName: idSource.name)
        let rejects = self.rejects
        return PipelineStage(name: "filter") { input, name, output in
            guard let input, var output else { throw PipelineError.unconnected("filter") }
            let rejectsWriter = try rejects.map { try SampleWriter(path: $0) }
            do {
                let summary = try stage.run(reading: input, inputName: name, reference: reference, into: &output, rejects: rejectsWriter)
                try rejectsWriter?.finish()
                return summary.description
            } catch {
                try? rejectsWriter?.finish()
                throw error
            }
        }
    }
}
