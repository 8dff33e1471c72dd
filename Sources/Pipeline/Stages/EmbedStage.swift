import Encoders
import Foundation
import Imaging
import LinearAlgebra
import OODCore
import WebDataset

/// `oodsynth embed`: adds `KEY.img.npy` (image embedding) and `KEY.txt.npy` (caption embedding) to
/// every sample, in batches, keeping stream order and a bounded window of samples in memory.
public struct EmbedStage {
    public struct Options: Sendable {
        public var batch = 32
        /// The model as the user named it (`builtin` or a folder), for the stage record.
        public var model = "builtin"
        /// `worker:CMD` when a worker computes the embeddings (nil: oodsynth's own encoders).
        public var worker: String?
        /// What computes the numbers, for the record: the matrix-product kernel, or the worker's runtime.
        public var kernel = GEMMKernel.name

        public init() {}
    }

    public let text: TextEncoder
    public let image: ImageEncoder?
    public let options: Options
    public let diagnostics: Diagnostics

    public init(text: TextEncoder, image: ImageEncoder?, options: Options, diagnostics: Diagnostics) {
        self.text = text
        self.image = image
        self.options = options
        self.diagnostics = diagnostics
    }

    public func run(reading reader: SampleReader, inputName: String, into sink: inout some SampleSink) throws -> EmbedSummary {
        let started = ProcessInfo.processInfo.systemUptime
        var header = try reader.requireHeader(inputName: inputName)
        if let earlier = header.model, earlier != text.identity {
            throw PipelineError.invalidOption(
                "\(inputName): the stream was embedded with \(earlier) already; embedding again with \(text.identity) would mix two spaces")
        }
        header.model = text.identity
        // The batch size is recorded as an option; it does not change a bit of the embeddings
        // (GEMMKernel), which depend on the kernel recorded beside it.
        var record = ["model": options.model, "batch": String(options.batch)]
        record["image-tower"] = image == nil ? "none" : "yes"
        record["backend"] = options.worker
        try sink.write(try header.appending(StageRecord(name: "embed", options: record, kernel: options.kernel)).sample())
        if image == nil {
            diagnostics.warn("embed: \(text.identity.name) has no image tower; embedding captions only")
        }

        var summary = EmbedSummary()
        var pending: [Sample] = []
        var stopped: Error?
        do {
            while let sample = try reader.next() {
                pending.append(sample)
                if pending.count == options.batch {
                    try flush(&pending, into: &sink, summary: &summary)
                }
            }
        } catch let error as SampleStreamError {
            // Samples read before the break are embedded and written; then the error.
            stopped = PipelineError.sampleStream(error)
        }
        try flush(&pending, into: &sink, summary: &summary)
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        if let stopped { throw stopped }
        return summary
    }

    private func flush(_ batch: inout [Sample], into sink: inout some SampleSink, summary: inout EmbedSummary) throws {
        guard !batch.isEmpty else { return }
        defer { batch.removeAll(keepingCapacity: true) }

        // Decode images first: a sample whose image is unreadable is skipped whole, so no sample
        // leaves this stage half embedded.
        var images: [(index: Int, image: RGBImage)] = []
        var skip = Set<Int>()
        if image != nil {
            for (index, sample) in batch.enumerated() {
                guard let bytes = sample["png"] ?? sample["jpg"] ?? sample["jpeg"] else { continue }
                do {
                    images.append((index, try ImageDecoder.decode(bytes).image))
                } catch {
                    summary.skipped.add(error.reason)
                    diagnostics.info("embed: skipped \(sample.key): \(error.description) [\(error.reason)]")
                    skip.insert(index)
                }
            }
        }
        let captions = batch.indices.filter { !skip.contains($0) }.compactMap { index in
            batch[index].text.map { (index: index, text: $0) }
        }
        let textVectors = try text.embed(texts: captions.map(\.text))
        let imageVectors = images.isEmpty ? [] : try image?.embed(images: images.map(\.image)) ?? []
        let textByIndex = Dictionary(uniqueKeysWithValues: zip(captions.map(\.index), textVectors))
        let imageByIndex = Dictionary(uniqueKeysWithValues: zip(images.map(\.index), imageVectors))

        for (index, var sample) in batch.enumerated() where !skip.contains(index) {
            if let vector = textByIndex[index] {
                sample["txt.npy"] = NPY.encode(vector, shape: [vector.count])
                summary.captions += 1
            }
            if let vector = imageByIndex[index] {
                sample["img.npy"] = NPY.encode(vector, shape: [vector.count])
                summary.images += 1
            }
            try sink.write(sample)
            summary.samples += 1
        }
        diagnostics.progress("embed: \(summary.samples) samples")
    }
}
