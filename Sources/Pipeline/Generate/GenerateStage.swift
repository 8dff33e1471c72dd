import Foundation
import Generation
import OODCore
import WebDataset

/// `oodsynth generate`: adds `png` to every captioned sample, made by an `ImageGenerator` from the
/// caption (prompt), the ID classes nearest the gap (negative prompt) and the gap embedding.
///
/// Samples go to the generator in batches of its preferred size and come back in stream order. A
/// sample whose image fails is skipped and counted by reason; the stage goes on. Each sample's seed
/// is drawn from `--seed` and its key, so an image does not depend on what else is in the stream.
public struct GenerateStage {
    public struct Options: Sendable {
        public var size = 96
        public var steps = 20
        public var guidance = 7.5
        public var seed: UInt64 = 0
        /// ID classes nearest the gap that go into the negative prompt.
        public var negativeClasses = 3

        public init() {}

        var record: [String: String] {
            ["size": String(size), "steps": String(steps), "guidance": String(guidance), "seed": String(seed),
             "negative-classes": String(negativeClasses)]
        }
    }

    public let generator: any ImageGenerator
    public let options: Options
    public let diagnostics: Diagnostics
    /// The model the stream's embeddings must come from (the builtin backend's references').
    public let requiredModel: ModelIdentity?

    public init(generator: any ImageGenerator, options: Options, diagnostics: Diagnostics, requiredModel: ModelIdentity? = nil) {
        self.generator = generator
        self.options = options
        self.diagnostics = diagnostics
        self.requiredModel = requiredModel
    }

    public func run(reading reader: SampleReader, inputName: String, into sink: inout some SampleSink) throws -> GenerateSummary {
        let started = ProcessInfo.processInfo.systemUptime
        let header = try reader.requireHeader(inputName: inputName)
        if let requiredModel, let model = header.model, model != requiredModel {
            throw PipelineError.inputFailed(inputName, reason: """
                its embeddings come from \(model); the references were embedded with \(requiredModel): \
                embed both with the same model
                """)
        }
        var record = options.record
        record["backend"] = generator.identity.backend
        record["backend-model"] = generator.identity.model
        try sink.write(try header.appending(StageRecord(name: "generate", options: record)).sample())
        let expected = Self.expectedCount(header)
        var summary = GenerateSummary()
        var batch: [(sample: Sample, request: GenerationRequest)] = []

        func flush(_ sink: inout some SampleSink) throws {
            guard !batch.isEmpty else { return }
            let requests = batch.map(\.request)
            let generator = generator
            let results = AsyncBridge.wait { await generator.generate(requests) } ?? []
            for (index, item) in batch.enumerated() {
                let result = index < results.count ? results[index] : .failure(.cancelled)
                switch result {
                case .success(let image):
                    var sample = item.sample
                    sample["png"] = image.png
                    sample["json"] = try json(of: item.sample, request: item.request, image: image)
                    try sink.write(sample)
                    summary.images += 1
                case .failure(let error):
                    summary.skipped.add(error.reason)
                    diagnostics.info("generate: skipped \(item.sample.key): \(error) [\(error.reason)]")
                }
            }
            batch.removeAll()
            progress(summary, expected: expected, since: started)
        }

        while let sample = try reader.nextSample() {
            guard let prompt = sample.text, !prompt.isEmpty else {
                summary.skipped.add("no-caption")
                diagnostics.info("generate: skipped \(sample.key): no txt caption [no-caption]")
                continue
            }
            summary.captions += 1
            batch.append((sample, request(for: sample, prompt: prompt, header: header)))
            if batch.count >= generator.preferredBatchSize { try flush(&sink) }
        }
        try flush(&sink)
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        return summary
    }

    func request(for sample: Sample, prompt: String, header: StreamHeader) -> GenerationRequest {
        let gap = sample["emb.npy"].flatMap { try? NPY.decode($0).values }
        let caption = sample["txt.npy"].flatMap { try? NPY.decode($0).values }
        let named = Set((JSONValue.object(from: sample["json"] ?? [])?["classes"]?.arrayValue ?? []).compactMap(\.stringValue))
        var random = SeededGenerator(seed: options.seed, key: "generate/" + sample.key)
        return GenerationRequest(
            id: sample.key, prompt: prompt, negativePrompt: negativePrompt(gap: gap, header: header, excluding: named),
            seed: UInt32(truncatingIfNeeded: random.next() >> 32), steps: options.steps, guidance: options.guidance,
            width: options.size, height: options.size, imageEmbedding: gap, textEmbedding: caption)
    }

    /// The ID classes whose prototypes are nearest the gap, leaving out classes the caption itself
    /// names ("a wooden eagle" must not be told to avoid eagles).
    func negativePrompt(gap: [Float]?, header: StreamHeader, excluding named: Set<String>) -> String {
        guard let gap, let prototypes = header.idSet?.prototypes, prototypes.count == header.classes.count else { return "" }
        let ranked = prototypes.indices
            .filter { !named.contains(header.classes[$0]) && prototypes[$0].count == gap.count }
            .map { index in (index, zip(prototypes[index], gap).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
            .sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }
        return ranked.prefix(options.negativeClasses).map { header.classes[$0.0].replacingOccurrences(of: "_", with: " ") }
            .joined(separator: ", ")
    }

    /// The sample's `json` with a `generation` object: backend, parameters, seed and the backend's details.
    func json(of sample: Sample, request: GenerationRequest, image: GeneratedImage) throws -> [UInt8] {
        var object = JSONValue.object(from: sample["json"] ?? []) ?? [:]
        var generation: [String: JSONValue] = [
            "backend": .string(generator.identity.backend), "model": .string(generator.identity.model),
            "seed": .integer(Int(request.seed)), "steps": .integer(request.steps), "guidance": .number(request.guidance),
            "width": .integer(image.width), "height": .integer(image.height), "negative_prompt": .string(request.negativePrompt),
        ]
        for (key, value) in image.details { generation[key] = .string(value) }
        object["generation"] = .object(generation)
        return try CanonicalJSON.encode(JSONValue.object(object))
    }

    /// Samples the stream should hold: the gaps stage's count times captions per gap, when known.
    static func expectedCount(_ header: StreamHeader) -> Int? {
        guard let gaps = header.stages.last(where: { $0.name == "gaps" }).flatMap({ $0.options["count"] }).flatMap(Int.init),
              let perGap = header.stages.last(where: { $0.name == "caption" }).flatMap({ $0.options["per-gap"] }).flatMap(Int.init)
        else { return nil }
        return gaps * perGap
    }

    private func progress(_ summary: GenerateSummary, expected: Int?, since started: Double) {
        let elapsed = ProcessInfo.processInfo.systemUptime - started
        let done = summary.images + summary.skipped.total
        let rate = elapsed > 0 ? Double(summary.images) / elapsed : 0
        var line = "generate: \(done)"
        if let expected, expected >= done {
            line += "/\(expected)"
            if rate > 0 { line += String(format: ", ETA %.0f s", Double(expected - done) / max(rate, 1e-9)) }
        }
        line += String(format: ", %.2f images/s", rate)
        if summary.skipped.total > 0 { line += ", \(summary.skipped.total) skipped" }
        diagnostics.progress(line)
    }
}
