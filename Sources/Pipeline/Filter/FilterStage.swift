import Curation
import Encoders
import Foundation
import Gaps
import Imaging
import LinearAlgebra
import OODCore
import WebDataset

/// `oodsynth filter`: embeds each generated image and keeps the samples whose image agrees with its
/// caption and lies truly outside the ID set (`CrossModalFilter`). Kept samples gain `img.npy` and a
/// `filter` object in `json` with their scores; rejected ones go to `rejects` (if given) with the same
/// object and the reason.
public struct FilterStage {
    public struct Options: Sendable {
        public var thresholds = FilterThresholds()
        /// Images embedded, and ranks and `q` thresholds taken, per batch.
        public var batch = 64
        /// The model as the user named it, for the stage record.
        public var model = "builtin"

        public init() {}

        public var record: [String: String] {
            var record = thresholds.record
            record["batch"] = String(batch)
            record["model"] = model
            return record
        }
    }

    public let image: ImageEncoder
    public let model: ModelIdentity
    public let options: Options
    public let diagnostics: Diagnostics

    public init(image: ImageEncoder, model: ModelIdentity, options: Options, diagnostics: Diagnostics) {
        self.image = image
        self.model = model
        self.options = options
        self.diagnostics = diagnostics
    }

    /// The ID set the filter measures against: the embedded ID stream's image embeddings by class.
    public struct Reference {
        public var set: IDSet
        public var header: StreamHeader
    }

    public func loadReference(reading reader: SampleReader, inputName: String) throws -> Reference {
        let header = try reader.requireHeader(inputName: inputName)
        guard let idModel = header.model else {
            throw PipelineError.inputFailed(inputName, reason: "the ID stream has no embeddings (run it through oodsynth embed first)")
        }
        guard idModel == model else {
            throw PipelineError.inputFailed(inputName, reason: "its embeddings come from \(idModel), not \(model): embed it with the filter's model")
        }
        var builder = IDSet.Builder(classNames: header.classes)
        var skipped = SkipTally()
        var read = 0
        while let sample = try reader.nextSample() {
            read += 1
            guard let bytes = sample["img.npy"], let vector = try? NPY.decode(bytes).values else {
                skipped.add("no-embedding")
                continue
            }
            if let reason = builder.add(key: sample.key, label: sample.classIndex, vector: vector) { skipped.add(reason) }
            diagnostics.progress("filter: read \(read) ID samples")
        }
        do {
            let set = try builder.build()
            if skipped.total > 0 { diagnostics.info("filter: ID samples not used: \(skipped.summary)") }
            return Reference(set: set, header: header)
        } catch {
            throw PipelineError.inputFailed(inputName, reason: "no usable ID image embeddings: \(error)")
        }
    }

    public func run(reading reader: SampleReader, inputName: String, reference: Reference,
                    into sink: inout some SampleSink, rejects: (any SampleSink)? = nil) throws -> FilterSummary {
        let started = ProcessInfo.processInfo.systemUptime
        let header = try reader.requireHeader(inputName: inputName)
        guard let streamModel = header.model else {
            throw PipelineError.inputFailed(inputName, reason: "the stream has no caption embeddings (txt.npy); run embed, gaps and caption first")
        }
        guard streamModel == model else {
            throw PipelineError.inputFailed(inputName, reason: "its captions were embedded with \(streamModel), not \(model): filter with the same model")
        }
        let filter = try makeFilter(reference: reference, header: header)
        let out = header.appending(StageRecord(name: "filter", options: options.record, kernel: GEMMKernel.name))
        try sink.write(try out.sample())
        var rejects = rejects
        try rejects?.write(try out.sample())

        var summary = FilterSummary()
        var batch: [(sample: Sample, image: RGBImage, caption: [Float])] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            let vectors = try image.embed(images: batch.map(\.image))
            let candidates = zip(batch, vectors).map { item, vector in
                CrossModalFilter.Candidate(key: item.sample.key, image: UnitVector.normalized(vector) ?? vector, caption: item.caption)
            }
            let decisions: [FilterDecision]
            do {
                decisions = try filter.judge(candidates)
            } catch {
                throw PipelineError.inputFailed(inputName, reason: error.description)
            }
            for (index, decision) in decisions.enumerated() {
                var sample = batch[index].sample
                sample["img.npy"] = NPY.encode(candidates[index].image, shape: [candidates[index].image.count])
                sample["json"] = try json(of: sample, decision: decision, reference: reference, header: header)
                for failure in filter.failures(decision) { summary.failedAlone.add(failure.rawValue) }
                if let rejection = decision.rejection {
                    summary.rejected.add(rejection.rawValue)
                    diagnostics.info("filter: rejected \(sample.key) [\(rejection.rawValue)]")
                    try rejects?.write(sample)
                } else {
                    summary.kept += 1
                    try sink.write(sample)
                }
            }
            batch.removeAll(keepingCapacity: true)
            diagnostics.progress("filter: \(summary.read) read, \(summary.kept) kept")
        }

        while let sample = try reader.nextSample() {
            summary.read += 1
            switch prepare(sample, dimension: filter.dimension) {
            case .success(let item):
                batch.append((sample, item.image, item.caption))
                if batch.count >= options.batch { try flush() }
            case .failure(let skip):
                summary.skipped.add(skip.reason)
                diagnostics.info("filter: skipped \(sample.key): \(skip.detail) [\(skip.reason)]")
            }
        }
        try flush()
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        if summary.kept == 0 && summary.read > 0 {
            // The first failed test names a sample's reason, so the biggest reason can hide the test
            // that binds: loosening rank does nothing when no sample is novel. Name the test that
            // keeps the fewest samples on its own.
            let alone = FilterDecision.Rejection.allCases.map { reason in
                "\(reason.rawValue) \(summary.read - (summary.failedAlone.counts[reason.rawValue] ?? 0))"
            }
            diagnostics.warn("filter: kept 0 of \(summary.read) samples (rejected: \(summary.rejected.summary)); "
                             + "each test alone keeps: \(alone.joined(separator: ", ")); "
                             + "loosen the test that keeps fewest: \(Self.loosening(summary.failedAlone))")
        }
        return summary
    }

    func makeFilter(reference: Reference, header: StreamHeader) throws -> CrossModalFilter {
        let set = reference.set
        // The header's density table describes this ID set only if gaps measured it on these same
        // image embeddings; otherwise the filter measures it itself.
        var table: [Float]?
        var k = 50
        if let stats = header.idSet {
            k = stats.k
            if stats.space == "image", stats.count == set.count { table = stats.knnDistancePercentiles }
        }
        do {
            return try CrossModalFilter(idVectors: set.vectors, prototypes: set.prototypes, k: k, noveltyTable: table,
                                        thresholds: options.thresholds)
        } catch {
            throw PipelineError.invalidOption("filter: \(error)")
        }
    }

    /// A score for `json`, rounded to 6 decimals: float32 carries no more, and it reads better.
    static func score(_ value: Float) -> JSONValue {
        .number((Double(value) * 1e6).rounded() / 1e6)
    }

    struct Skip: Error {
        var reason: String
        var detail: String
    }

    func prepare(_ sample: Sample, dimension: Int) -> Result<(image: RGBImage, caption: [Float]), Skip> {
        guard let bytes = sample["png"] ?? sample["jpg"] ?? sample["jpeg"] else {
            return .failure(Skip(reason: "no-image", detail: "no png or jpg (run generate first)"))
        }
        guard let npy = sample["txt.npy"], let values = try? NPY.decode(npy).values else {
            return .failure(Skip(reason: "no-caption-embedding", detail: "no txt.npy"))
        }
        guard values.count == dimension, let caption = UnitVector.normalized(values) else {
            return .failure(Skip(reason: "bad-embedding", detail: "txt.npy has \(values.count) values or is not finite; the ID set has \(dimension)"))
        }
        do {
            return .success((try ImageDecoder.decode(bytes).image, caption))
        } catch {
            return .failure(Skip(reason: error.reason, detail: error.description))
        }
    }

    /// The sample's `json` with a `filter` object: every score, the thresholds it was held to, and
    /// the verdict.
    func json(of sample: Sample, decision d: FilterDecision, reference: Reference, header: StreamHeader) throws -> [UInt8] {
        var object = JSONValue.object(from: sample["json"] ?? []) ?? [:]
        let set = reference.set
        var filter: [String: JSONValue] = [
            "alignment": Self.score(d.alignment), "rank": .integer(d.rank),
            "id_similarity": Self.score(d.idSimilarity),
            "nearest_class": .string(set.classNames.indices.contains(d.nearestClass) ? set.classNames[d.nearestClass] : ""),
            "knn_distance": Self.score(d.knnDistance),
            "nearest_id": .string(set.keys.indices.contains(d.nearestID) ? set.keys[d.nearestID] : ""),
            "nearest_id_similarity": Self.score(d.nearestIDSimilarity),
            "min_alignment": Self.score(d.minAlignment), "max_id_similarity": Self.score(d.maxIDSimilarity),
            "min_novelty": Self.score(d.minNovelty),
            "kept": .bool(d.kept),
        ]
        if let key = d.nearestKept, let similarity = d.nearestKeptSimilarity {
            filter["nearest_kept"] = .string(key)
            filter["nearest_kept_similarity"] = Self.score(similarity)
        }
        if let rejection = d.rejection { filter["rejection"] = .string(rejection.rawValue) }
        object["filter"] = .object(filter)
        return try CanonicalJSON.encode(JSONValue.object(object))
    }
}

extension FilterStage {
    /// The option to loosen for the reason whose test fails the most samples.
    static func loosening(_ rejected: SkipTally) -> String {
        let options = [
            "id-like": "--max-id-similarity (e.g. q0.9)", "misaligned": "--min-alignment (e.g. q0.1)",
            "not-novel": "--min-novelty (e.g. q0.3 or p80)", "rank": "--rank (a larger rank)",
            "copies-id": "--dedup (a higher cosine)", "duplicate": "--dedup (a higher cosine)",
        ]
        guard let top = rejected.counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { return "see --help" }
        return options[top.key].map { "\(top.key) -> \($0)" } ?? top.key
    }
}
