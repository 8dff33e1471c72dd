import Encoders
import Foundation
import Gaps
import Imaging
import LinearAlgebra
import OODCore
import Training
import WebDataset

/// `oodsynth score`: adds to each sample's `json` an `ood` object from a trained adapter
/// (`{"id_score", "class", "class_probability"}`, id_score higher for in-distribution) and passes
/// everything else through: flagging unknowns in incoming data. Samples with `img.npy` are scored
/// from it; others have their image embedded with the model. A sample with neither, or whose image
/// cannot be decoded, passes through unscored and is counted.
public struct ScoreStage {
    public struct Options: Sendable {
        public var batch = 64
        public var model = "builtin"
        public var adapter = ""

        public init() {}
    }

    public let adapter: AdapterFolder
    public let image: ImageEncoder?
    public let options: Options
    public let diagnostics: Diagnostics

    public init(adapter: AdapterFolder, image: ImageEncoder?, options: Options, diagnostics: Diagnostics) {
        (self.adapter, self.image, self.options, self.diagnostics) = (adapter, image, options, diagnostics)
    }

    public func run(reading reader: SampleReader, inputName: String, into sink: inout some SampleSink) throws -> String {
        let header = try reader.requireHeader(inputName: inputName)
        let base = adapter.config.baseModel
        if let model = header.model, model.weightsSHA256 != base.weightsSHA256 {
            throw PipelineError.inputFailed(inputName, reason: "embedded with \(model), but the adapter \(options.adapter) was trained on \(base)")
        }
        let record = ["model": options.model, "adapter": options.adapter, "batch": String(options.batch)]
        try sink.write(try header.appending(StageRecord(name: "score", options: record, kernel: GEMMKernel.name)).sample())
        var pending: [Sample] = []
        var counts = (scored: 0, unscored: [String: Int]())
        var stopped: Error?
        do {
            while let sample = try reader.next() {
                pending.append(sample)
                if pending.count == options.batch { try flush(&pending, into: &sink, counts: &counts) }
            }
        } catch let error as SampleStreamError {
            stopped = PipelineError.sampleStream(error)
        }
        try flush(&pending, into: &sink, counts: &counts)
        if let stopped { throw stopped }
        let unscored = counts.unscored.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return "score: \(counts.scored) samples scored" + (unscored.isEmpty ? "" : ", unscored: " + unscored.joined(separator: ", "))
    }

    private func flush(_ batch: inout [Sample], into sink: inout some SampleSink, counts: inout (scored: Int, unscored: [String: Int])) throws {
        guard !batch.isEmpty else { return }
        defer { batch.removeAll(keepingCapacity: true) }
        let d = adapter.config.baseModel.dimension
        var vectors: [Int: [Float]] = [:]
        var toEmbed: [(index: Int, image: RGBImage)] = []
        for (index, sample) in batch.enumerated() {
            if let bytes = sample["img.npy"] {
                if let values = try? NPY.decode(bytes).values, values.count == d, let unit = UnitVector.normalized(values) {
                    vectors[index] = unit
                } else {
                    counts.unscored["bad-embedding", default: 0] += 1
                }
            } else if let bytes = sample["png"] ?? sample["jpg"] ?? sample["jpeg"], image != nil {
                if let decoded = try? ImageDecoder.decode(bytes).image {
                    toEmbed.append((index, decoded))
                } else {
                    counts.unscored["undecodable-image", default: 0] += 1
                }
            } else {
                counts.unscored["no-embedding", default: 0] += 1
            }
        }
        if let image, !toEmbed.isEmpty {
            for (item, vector) in zip(toEmbed, try image.embed(images: toEmbed.map(\.image))) { vectors[item.index] = vector }
        }
        let order = vectors.keys.sorted()
        let matrix = Matrix(rows: order.count, columns: d)
        for (row, index) in order.enumerated() { matrix.pointer(row: row).update(from: vectors[index]!, count: d) }
        let scores = try adapter.adapter.scores(matrix)
        for (row, index) in order.enumerated() {
            var object = JSONValue.object(from: batch[index]["json"] ?? []) ?? [:]
            let classIndex = scores.classes[row]
            object["ood"] = .object([
                "id_score": .number(Self.rounded(scores.idScores[row])),
                "class": .string(adapter.config.classes[classIndex]),
                "class_probability": .number(Self.rounded(scores.classProbabilities[row])),
            ])
            batch[index]["json"] = try CanonicalJSON.encode(JSONValue.object(object))
        }
        counts.scored += order.count
        for sample in batch { try sink.write(sample) }
    }

    /// Scores rounded to 7 decimals: what float32 arithmetic carries.
    static func rounded(_ value: Double) -> Double { (value * 1e7).rounded() / 1e7 }
}
