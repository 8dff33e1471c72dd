import Captions
import Encoders
import Foundation
import Gaps
import LinearAlgebra
import OODCore
import WebDataset

/// `oodsynth caption`: gives every gap record `perGap` counterfactual captions, samples keyed
/// `GAPKEY_cNN` with `txt`, `txt.npy` (the caption's embedding), `emb.npy` (the gap) and `json`.
///
/// The caption pool is made once per run: WordNet concepts outside the ID concepts, filtered by the
/// NegLabel test (nouns whose `negQuantile` similarity to the ID class prompts is among the top
/// `1 - negKeep` are dropped), written into the template families and embedded with the stream's text
/// tower. Each gap then takes the pool captions that score best for it (one embedding per caption,
/// not per gap and caption); when a gap finds fewer than `perGap` unused captions nearer to it than to
/// the ID classes, the pool grows by another `poolSize` (at most `maxExtensions` times).
public struct CaptionStage {
    public struct Options: Sendable {
        public var perGap = 4
        public var lambda: Float = 1
        public var poolSize = 6000
        public var candidatesPerGap = 200
        public var diversity: Float = 0.3
        public var negQuantile = 0.95
        public var negKeep = 0.85
        public var hypernymDepth = 1
        public var prompt = "{label}"
        public var seed: UInt64 = 0
        /// Times the pool may grow by `poolSize` when a gap finds too few captions nearer to it than
        /// to the ID classes (each caption is used once, so many gaps in one region use them up).
        public var maxExtensions = 8

        public init() {}

        var record: [String: String] {
            ["per-gap": String(perGap), "lambda": String(lambda), "pool": String(poolSize), "candidates": String(candidatesPerGap),
             "diversity": String(diversity), "neg-quantile": String(negQuantile), "neg-keep": String(negKeep),
             "hypernym-depth": String(hypernymDepth), "prompt": prompt, "seed": String(seed), "max-extensions": String(maxExtensions)]
        }

        func prompt(_ label: String) -> String {
            prompt.replacingOccurrences(of: "{label}", with: label.replacingOccurrences(of: "_", with: " "))
        }
    }

    public let text: TextEncoder
    public let wordnet: WordNet
    public let options: Options
    public let diagnostics: Diagnostics

    public init(text: TextEncoder, wordnet: WordNet, options: Options, diagnostics: Diagnostics) {
        self.text = text
        self.wordnet = wordnet
        self.options = options
        self.diagnostics = diagnostics
    }

    public func run(reading reader: SampleReader, inputName: String, into sink: inout some SampleSink) throws -> CaptionSummary {
        let started = ProcessInfo.processInfo.systemUptime
        let header = try reader.requireHeader(inputName: inputName)
        guard header.idSet != nil else {
            throw PipelineError.inputFailed(inputName, reason: "the stream has no gaps; run oodsynth gaps first")
        }
        guard header.model == text.identity else {
            throw PipelineError.inputFailed(inputName, reason: """
                the gaps live in the space of \(header.model.map(\.description) ?? "no model"); \
                captions must be embedded with the same model, not \(text.identity)
                """)
        }
        var summary = CaptionSummary()
        let concepts = IDConcepts(classNames: header.classes, wordnet: wordnet, hypernymDepth: options.hypernymDepth)
        for name in concepts.unmatched {
            diagnostics.warn("caption: WordNet has no noun for class \(name); only the embedding test keeps it out")
        }
        let prompts = try text.embed(texts: header.classes.map { options.prompt($0) })
        let inventory = try negLabelFiltered(ConceptInventory(wordnet: wordnet, excluding: concepts), prompts: prompts)
        summary.inventoryNouns = inventory.nouns.count
        let grammar = CounterfactualGrammar(inventory: inventory, concepts: concepts)
        var pool = grammar.candidates(count: options.poolSize, seed: options.seed)
        var poolVectors = try embed(pool)
        var selector = CaptionSelector(vectors: poolVectors, dimension: text.identity.dimension, prompts: prompts)
        var extensions = 0
        selector.lambda = options.lambda
        selector.candidatesPerGap = options.candidatesPerGap
        selector.diversity = options.diversity

        try sink.write(try header.appending(StageRecord(name: "caption", options: options.record, kernel: GEMMKernel.name)).sample())
        let d = text.identity.dimension
        while let gap = try reader.nextSample() {
            guard let bytes = gap["emb.npy"], let vector = try? NPY.decode(bytes).values, vector.count == d else {
                summary.skipped.add("no-gap-embedding")
                diagnostics.info("caption: skipped \(gap.key): no usable emb.npy of \(d) floats [no-gap-embedding]")
                continue
            }
            let method = gap["json"].flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }?["method"] as? String
            summary.gaps += 1
            while extensions < options.maxExtensions && selector.nearerUnused(for: vector) < options.perGap {
                extensions += 1
                let more = grammar.candidates(count: options.poolSize, seed: options.seed, round: extensions, existing: Set(pool.map(\.text)))
                guard !more.isEmpty else { break }
                let vectors = try embed(more)
                pool += more
                poolVectors += vectors
                selector.append(vectors: vectors)
            }
            for (number, choice) in selector.select(for: vector, count: options.perGap).enumerated() {
                let candidate = pool[choice.index]
                let record = CaptionRecord(
                    family: candidate.family, concepts: candidate.concepts, classes: candidate.classes, gapKey: gap.key,
                    gapMethod: method, score: choice.score, gapSimilarity: choice.gapSimilarity, idSimilarity: choice.idSimilarity)
                let embedding = Array(poolVectors[(choice.index * d)..<((choice.index + 1) * d)])
                try sink.write(Sample(key: SampleKey.derived(from: gap.key, suffix: String(format: "c%02d", number)), fields: [
                    "txt": Array(candidate.text.utf8),
                    "txt.npy": NPY.encode(embedding, shape: [d]),
                    "emb.npy": bytes,
                    "json": try CanonicalJSON.encode(record),
                ]))
                summary.captions += 1
                if choice.gapSimilarity > choice.idSimilarity { summary.nearerToGap += 1 }
            }
            diagnostics.progress("caption: \(summary.gaps) gaps")
        }
        summary.pool = pool.count
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        return summary
    }

    /// Unit text embeddings of the captions, row after row.
    private func embed(_ captions: [CaptionCandidate]) throws -> [Float] {
        var vectors: [Float] = []
        vectors.reserveCapacity(captions.count * text.identity.dimension)
        for start in stride(from: 0, to: captions.count, by: 512) {
            for vector in try text.embed(texts: captions[start..<min(start + 512, captions.count)].map(\.text)) { vectors += vector }
            diagnostics.progress("caption: embedded \(min(start + 512, captions.count))/\(captions.count) captions")
        }
        return vectors
    }

    /// NegLabel's test on the nouns: the `negQuantile` of each noun prompt's similarities to the ID
    /// class prompts; the `negKeep` share with the lowest values stay.
    func negLabelFiltered(_ inventory: ConceptInventory, prompts: [[Float]]) throws -> ConceptInventory {
        let nouns = inventory.nouns
        guard !nouns.isEmpty, !prompts.isEmpty else { return inventory }
        var scores: [Float] = []
        scores.reserveCapacity(nouns.count)
        for start in stride(from: 0, to: nouns.count, by: 512) {
            let batch = try text.embed(texts: nouns[start..<min(start + 512, nouns.count)].map { options.prompt($0.text) })
            for vector in batch {
                let sims = prompts.map { prompt in zip(vector, prompt).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.sorted()
                scores.append(IDDensity.quantile(sims, options.negQuantile))
            }
            diagnostics.progress("caption: NegLabel test \(min(start + 512, nouns.count))/\(nouns.count) nouns")
        }
        let keep = max(1, Int((Double(nouns.count) * options.negKeep).rounded()))
        let kept = Set(nouns.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }.prefix(keep))
        return inventory.keepingNouns(nouns.indices.filter(kept.contains).map { nouns[$0] })
    }
}
