import Encoders
import Foundation
import Imaging
import LinearAlgebra
import OODCore
import WebDataset

/// `oodsynth fit`: learns the builtin image tower from an ID stream and pairs it with a text tower.
/// Captions come from `txt`, else from the prompt template and the sample's label. With a hold-out
/// fraction, that share of every class is kept out of fitting and scored: zero-shot accuracy by class
/// prompts and image->caption recall@5, the honest measure of what the model learned.
public struct FitStage {
    public struct Options: Sendable {
        public var image = BuiltinImageConfig()
        public var seed: UInt64 = 0
        /// Fraction of each class held out for evaluation (0 fits on everything).
        public var holdOut = 0.0
        /// Caption of a sample without one, and the zero-shot class prompt.
        public var prompt = "a picture of a {label}"
        /// SHA-256 of the input file, recorded in the model's config when known.
        public var inputSHA256: String?

        public init() {}

        func caption(label: String) -> String {
            prompt.replacingOccurrences(of: "{label}", with: label.replacingOccurrences(of: "_", with: " "))
        }
    }

    public let text: SentenceEncoder
    /// How the model's config names the text tower: a model-store name or a folder path.
    public let textReference: String
    public let options: Options
    public let diagnostics: Diagnostics

    public init(text: SentenceEncoder, textReference: String, options: Options, diagnostics: Diagnostics) {
        self.text = text
        self.textReference = textReference
        self.options = options
        self.diagnostics = diagnostics
    }

    /// Reads the whole stream into a collector and fits.
    public func run(reading reader: SampleReader, inputName: String, workers: Int, name: String) throws -> FitResult {
        let collector = FitCollector(inputName: inputName, imageSize: options.image.imageSize, workers: workers, diagnostics: diagnostics)
        try collector.write(try reader.requireHeader(inputName: inputName).sample())
        var stopped: Error?
        do {
            while let sample = try reader.next() { try collector.write(sample) }
        } catch let error as SampleStreamError {
            stopped = PipelineError.sampleStream(error)
        }
        collector.finish()
        // A truncated ID stream would silently fit on part of the data: refuse instead.
        if let stopped { throw stopped }
        return try fit(collector, name: name)
    }

    /// Fits on what `collector` gathered (its `finish()` already called).
    public func fit(_ collector: FitCollector, name: String) throws -> FitResult {
        let started = ProcessInfo.processInfo.systemUptime
        let input = collector.inputName
        let classes = collector.header?.classes ?? []
        let items = collector.items
        guard !items.isEmpty else {
            let reason = collector.skipped.total > 0 ? " (skipped \(collector.skipped.total): \(collector.skipped.summary))" : ""
            let missing = collector.skipped.counts["no-caption"] == collector.skipped.total && collector.skipped.total > 0
            throw PipelineError.inputFailed(input, reason: missing
                ? "no captions: no sample has a txt caption or a class label to make one from"
                : "no images to fit on\(reason)")
        }
        let present = Set(items.compactMap(\.label)).sorted()
        guard present.count >= 2 else {
            throw PipelineError.inputFailed(input, reason: """
                fit needs at least two classes, found \(present.count)\(present.isEmpty ? "" : " (\(present.map { classes[$0] }.joined(separator: ", ")))"); \
                label images by folder (decode --label-from parent) or by .cls
                """)
        }
        guard (0.0..<1.0).contains(options.holdOut) else {
            throw PipelineError.invalidOption("--hold-out must be in [0, 1), got \(options.holdOut)")
        }

        let captions = items.map { $0.caption ?? options.caption(label: classes[$0.label ?? 0]) }
        let heldOut = Self.holdOutMask(labels: items.map(\.label), fraction: options.holdOut)
        let train = items.indices.filter { !heldOut[$0] }
        let test = items.indices.filter { heldOut[$0] }

        diagnostics.progress("fit: embedding \(items.count) captions")
        let captionVectors = try text.embed(texts: captions)
        let tower = try BuiltinFitter.fit(
            thumbnails: train.map { items[$0].thumbnail }, targets: train.map { captionVectors[$0] },
            config: options.image, seed: options.seed) { diagnostics.progress($0) }

        var evaluation: ZeroShotScores?
        if !test.isEmpty {
            diagnostics.progress("fit: scoring \(test.count) held-out images")
            let prompts = try text.embed(texts: classes.map { options.caption(label: $0) })
            evaluation = ZeroShotScores(
                images: try tower.embed(test.map { items[$0].thumbnail }),
                labels: test.map { items[$0].label ?? -1 }, prompts: prompts,
                captions: test.map { captionVectors[$0] }, captionTexts: test.map { captions[$0] })
        }
        let record = BuiltinModelConfig.FitRecord(
            seed: options.seed, samples: train.count, heldOut: test.count, classes: classes,
            templated: items.filter { $0.caption == nil }.count, prompt: options.prompt,
            inputSHA256: options.inputSHA256, evaluation: evaluation, kernel: GEMMKernel.name)
        let config = BuiltinModelConfig(
            textModel: textReference, textModelSHA256: text.identity.weightsSHA256, dimension: tower.dimension,
            image: options.image, fit: record)
        let model = try BuiltinModel(config: config, text: text, tower: tower, name: name)
        var summary = FitSummary(samples: train.count, heldOut: test.count, classes: present.count, skipped: collector.skipped)
        summary.templated = record.templated
        summary.evaluation = evaluation
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        return FitResult(model: model, summary: summary)
    }

    /// Spreads the held-out samples evenly through each class in stream order: sample i of its class
    /// is held out when ⌊(i+1)·f⌋ > ⌊i·f⌋. Unlabelled samples are always fitted on.
    static func holdOutMask(labels: [Int?], fraction: Double) -> [Bool] {
        var seen: [Int: Int] = [:]
        return labels.map { label in
            guard let label, fraction > 0 else { return false }
            let index = seen[label, default: 0]
            seen[label] = index + 1
            return (Double(index + 1) * fraction).rounded(.down) > (Double(index) * fraction).rounded(.down)
        }
    }
}
