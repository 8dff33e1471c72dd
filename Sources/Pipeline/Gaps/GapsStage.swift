import Foundation
import Gaps
import LinearAlgebra
import OODCore
import WebDataset

/// `oodsynth gaps`: reads an embedded ID stream, holds only its embeddings, and emits `count` gap
/// samples (`emb.npy` + `json`) just outside the ID support, after a header that now carries the class
/// prototypes and the ID set's density (`id_set`).
public struct GapsStage {
    public enum Space: String, Sendable, CaseIterable {
        case image, text
        var field: String { self == .image ? "img.npy" : "txt.npy" }
    }

    public struct Options: Sendable {
        public var count = 100
        /// A sampler name, or `mix` for all of them.
        public var method = "knn-boundary"
        public var seed: UInt64 = 0
        public var space = Space.image
        /// Neighbours for the density (k-th-NN distance); scaled down to a tenth of the ID set.
        public var k = 50
        public var supportPercentile = 95.0
        public var far: Float?
        public var knnBoundary = KNNBoundarySampler()
        public var classGaussian = ClassGaussianSampler()
        public var interpolate = InterpolationSampler()
        public var boundaryCrossing = BoundaryCrossingSampler()
        /// The ID points' own k-th-NN distances, computed in blocks by `oodsynth knn` (the map half of
        /// the density, spread over a cluster): `.npy` files in row order. Empty: computed here.
        public var selfKNN: [String] = []

        public init() {}

        public static let methods = ["knn-boundary", "class-gaussian", "interpolate", "boundary-crossing", "mix"]

        var samplers: [GapSampler] {
            let all: [GapSampler] = [knnBoundary, classGaussian, interpolate, boundaryCrossing]
            return method == "mix" ? all : all.filter { $0.name == method }
        }

        var record: [String: String] {
            var options = ["count": String(count), "method": method, "seed": String(seed), "space": space.rawValue,
                           "k": String(k), "support-percentile": String(supportPercentile)]
            if let far { options["far"] = String(far) }
            for sampler in samplers {
                for (name, value) in sampler.parameters { options["\(sampler.name).\(name)"] = value }
            }
            return options
        }
    }

    public let options: Options
    public let diagnostics: Diagnostics

    public init(options: Options, diagnostics: Diagnostics) {
        self.options = options
        self.diagnostics = diagnostics
    }

    public func run(reading reader: SampleReader, inputName: String, into sink: inout some SampleSink) throws -> GapsSummary {
        let started = ProcessInfo.processInfo.systemUptime
        let samplers = options.samplers
        guard !samplers.isEmpty else {
            throw PipelineError.invalidOption("--method \(options.method) is not one of \(Options.methods.joined(separator: ", "))")
        }
        var summary = GapsSummary()
        let (header, set) = try readSet(reader, inputName: inputName, summary: &summary)
        summary.embeddings = set.count
        summary.classes = set.classes.count

        let selfDistances = try options.selfKNN.isEmpty ? nil : loadSelfKNN(count: set.count)
        let density = try IDDensity(set: set, k: densityK(count: set.count),
                                    lowerQuantile: options.supportPercentile / 100, far: options.far, seed: options.seed,
                                    selfDistances: selfDistances)
        let outcome = try GapSearch(set: set, density: density).run(samplers, count: options.count, seed: options.seed) {
            diagnostics.progress($0)
        }
        for shortfall in outcome.shortfalls {
            diagnostics.warn("gaps: \(shortfall.name) found \(shortfall.found) of \(shortfall.wanted) gaps in the density window")
        }

        var out = header.appending(StageRecord(name: "gaps", options: options.record, kernel: GEMMKernel.name))
        out.idSet = IDStatistics(
            space: options.space.rawValue, count: set.count, k: density.k,
            prototypes: set.prototypes.map { $0 ?? [] }, knnDistancePercentiles: density.percentileTable,
            supportPercentile: options.supportPercentile, supportDistance: density.lower, farDistance: density.far)
        try sink.write(try out.sample())
        for (index, point) in outcome.points.enumerated() {
            let record = GapRecord(
                method: point.method, parameters: point.parameters, space: options.space.rawValue, seed: options.seed,
                k: density.k, knnDistance: point.knnDistance, percentile: point.percentile,
                nearestClasses: point.nearestClasses.map { .init(name: set.classNames[$0.label], index: $0.label, similarity: $0.similarity) },
                sources: point.sources.map { set.keys[$0] })
            try sink.write(Sample(key: SampleKey.make(index: index), fields: [
                "emb.npy": NPY.encode(point.vector, shape: [point.vector.count]),
                "json": try CanonicalJSON.encode(record),
            ]))
        }
        summary.k = density.k
        summary.supportDistance = density.lower
        summary.farDistance = density.far
        summary.gaps = outcome.points.count
        summary.proposed = outcome.proposed
        summary.rejected = outcome.rejected
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        return summary
    }

    /// The density's k for a set of `count` points: `k`, at most a tenth of the set.
    public func densityK(count: Int) -> Int {
        IDDensity.effectiveK(max(1, min(options.k, count / 10)), count: count)
    }

    /// The ID set of an embedded stream, as gaps (and its kNN map, `oodsynth knn`) sees it. gaps is a
    /// barrier over the whole ID set: a broken stream stops it, as part of the set would put the gaps
    /// in the wrong place.
    public func readSet(_ reader: SampleReader, inputName: String, summary: inout GapsSummary) throws -> (StreamHeader, IDSet) {
        let header = try reader.requireHeader(inputName: inputName)
        guard header.model != nil else {
            throw PipelineError.inputFailed(inputName, reason: "the stream has no embeddings; run oodsynth embed first")
        }
        var builder = IDSet.Builder(classNames: header.classes)
        var read = 0
        while let sample = try reader.nextSample() {
            read += 1
            collect(sample, into: &builder, summary: &summary)
            diagnostics.progress("gaps: \(read) samples read")
        }
        let set: IDSet
        do {
            set = try builder.build()
        } catch {
            throw PipelineError.inputFailed(inputName, reason: error.description)
        }
        for note in builder.notes { diagnostics.warn("gaps: \(note)") }
        summary.skipped.add("small-class", count: builder.skipped["small-class"] ?? 0)
        return (header, set)
    }

    /// The `--self-knn` blocks, concatenated: one distance per ID point.
    private func loadSelfKNN(count: Int) throws -> [Float] {
        var distances: [Float] = []
        for file in options.selfKNN {
            guard let data = FileManager.default.contents(atPath: file) else { throw PipelineError.inputNotFound(file) }
            do {
                let array = try NPY.decode([UInt8](data))
                guard array.shape.count == 1 else { throw PipelineError.inputFailed(file, reason: "not a vector of distances (shape \(array.shape))") }
                distances += array.values
            } catch let error as NPYError {
                throw PipelineError.inputFailed(file, reason: error.description)
            }
        }
        guard distances.count == count else {
            throw PipelineError.inputFailed(options.selfKNN.joined(separator: ", "),
                                            reason: "\(distances.count) k-th-NN distances for an ID set of \(count): blocks of another stream")
        }
        return distances
    }

    /// Adds the sample's embedding and label to the ID set, or counts why it cannot be used.
    private func collect(_ sample: Sample, into builder: inout IDSet.Builder, summary: inout GapsSummary) {
        let label = sample.classIndex
        guard let bytes = sample[options.space.field] else {
            skip(&summary, sample.key, "no-embedding", "no \(options.space.field)")
            return
        }
        let vector: [Float]
        do {
            vector = try NPY.decode(bytes).values
        } catch {
            skip(&summary, sample.key, "bad-npy", error.description)
            return
        }
        if let reason = builder.add(key: sample.key, label: label, vector: vector) {
            skip(&summary, sample.key, reason, "embedding not usable")
        }
    }

    private func skip(_ summary: inout GapsSummary, _ key: String, _ reason: String, _ detail: String) {
        summary.skipped.add(reason)
        diagnostics.info("gaps: skipped \(key): \(detail) [\(reason)]")
    }
}
