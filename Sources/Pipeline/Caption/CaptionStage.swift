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
///
/// With a chat model (`concepts` llm or wordnet+llm), its proposals for each ID class (near,
/// fine-grained, far) pass the same gates as WordNet's nouns: no ID concept, NegLabel's test at the cut
/// WordNet's nouns set, and, for each chosen caption, nearer to its gap than to any ID class prompt.
/// They are written into the grammar's families as the new thing itself ("a photo of a ferret", "a
/// ferret made of glass"); with wordnet+llm they take at least `llmShare` of each gap's captions when
/// enough pass.
public struct CaptionStage {
    /// Where new concepts come from.
    public enum ConceptSources: String, Sendable {
        case wordnet
        case llm
        case both = "wordnet+llm"
    }

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
        public var concepts = ConceptSources.wordnet
        /// With wordnet+llm: the least share of each gap's captions that name a chat model's concept.
        public var llmShare = 0.5

        public init() {}

        var record: [String: String] {
            ["per-gap": String(perGap), "lambda": String(lambda), "pool": String(poolSize), "candidates": String(candidatesPerGap),
             "diversity": String(diversity), "neg-quantile": String(negQuantile), "neg-keep": String(negKeep),
             "hypernym-depth": String(hypernymDepth), "prompt": prompt, "seed": String(seed), "max-extensions": String(maxExtensions),
             "concepts": concepts.rawValue]
                .merging(concepts == .both ? ["llm-share": String(llmShare)] : [:]) { $1 }
        }

        func prompt(_ label: String) -> String {
            prompt.replacingOccurrences(of: "{label}", with: label.replacingOccurrences(of: "_", with: " "))
        }

        /// Captions per gap that must name a chat model's concept.
        var llmWanted: Int {
            switch concepts {
            case .wordnet: 0
            case .llm: perGap
            case .both: min(perGap, Int((llmShare * Double(perGap)).rounded(.up)))
            }
        }
    }

    public let text: TextEncoder
    public let wordnet: WordNet
    public let options: Options
    /// The chat model asked for concepts, with `concepts` llm or wordnet+llm.
    public let llm: LLMConceptSource?
    public let diagnostics: Diagnostics

    public init(text: TextEncoder, wordnet: WordNet, options: Options, llm: LLMConceptSource? = nil, diagnostics: Diagnostics) {
        self.text = text
        self.wordnet = wordnet
        self.options = options
        self.llm = llm
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
        if options.concepts != .wordnet && llm == nil {
            throw PipelineError.invalidOption("caption: concepts \(options.concepts.rawValue) need a chat model server")
        }
        var summary = CaptionSummary()
        let concepts = IDConcepts(classNames: header.classes, wordnet: wordnet, hypernymDepth: options.hypernymDepth)
        for name in concepts.unmatched {
            diagnostics.warn("caption: WordNet has no noun for class \(name); only the embedding test keeps it out")
        }
        // The server first: a dead one is reported before minutes of embedding.
        let proposals = try llm.flatMap { try ask($0, classes: header.classes, summary: &summary) }
        let prompts = try text.embed(texts: header.classes.map { options.prompt($0) })
        let (inventory, negCut) = try negLabelFiltered(ConceptInventory(wordnet: wordnet, excluding: concepts), prompts: prompts)
        summary.inventoryNouns = inventory.nouns.count
        let grammar = CounterfactualGrammar(inventory: inventory, concepts: concepts)
        let chat = try proposals.flatMap { try llmWriter($0, concepts: concepts, inventory: inventory, negCut: negCut, prompts: prompts,
                                                         summary: &summary) }
        let llmWanted = chat == nil ? 0 : options.llmWanted
        let wordnetWanted = options.perGap - llmWanted

        var pool: [CaptionCandidate] = []
        var fromLLM: [Bool] = []
        if options.concepts != .llm { pool = grammar.candidates(count: options.poolSize, seed: options.seed) }
        if let chat { pool += chat.write(count: options.poolSize, seed: options.seed) }
        fromLLM = pool.map { $0.source != .wordnet }
        var poolVectors = try embed(pool)
        var selector = CaptionSelector(vectors: poolVectors, dimension: text.identity.dimension, prompts: prompts)
        selector.lambda = options.lambda
        selector.candidatesPerGap = options.candidatesPerGap
        selector.diversity = options.diversity
        var extensions = 0
        var llmExtensions = 0

        try sink.write(try header.appending(StageRecord(name: "caption", options: recordedOptions, kernel: GEMMKernel.name)).sample())
        let d = text.identity.dimension
        while let gap = try reader.nextSample() {
            guard let bytes = gap["emb.npy"], let vector = try? NPY.decode(bytes).values, vector.count == d else {
                summary.skipped.add("no-gap-embedding")
                diagnostics.info("caption: skipped \(gap.key): no usable emb.npy of \(d) floats [no-gap-embedding]")
                continue
            }
            let method = gap["json"].flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }?["method"] as? String
            summary.gaps += 1
            // Grow each part of the pool that has too few unused captions nearer to this gap.
            var similarities: [Float]
            while true {
                similarities = selector.gapSimilarities(vector)
                let (flags, sims) = (fromLLM, similarities)
                var more: [CaptionCandidate] = []
                if wordnetWanted > 0, extensions < options.maxExtensions,
                   selector.nearerUnused(for: vector, allowed: chat == nil ? nil : { !flags[$0] }, similarities: sims) < wordnetWanted {
                    extensions += 1
                    more = grammar.candidates(count: options.poolSize, seed: options.seed, round: extensions, existing: Set(pool.map(\.text)))
                } else if let chat, llmWanted > 0, llmExtensions < options.maxExtensions,
                          selector.nearerUnused(for: vector, allowed: { flags[$0] }, similarities: sims) < llmWanted {
                    llmExtensions += 1
                    more = chat.write(count: options.poolSize, seed: options.seed, round: llmExtensions, existing: Set(pool.map(\.text)))
                    // A small set of concepts is soon written out: no use asking again.
                    if more.isEmpty { llmExtensions = options.maxExtensions }
                } else {
                    break
                }
                if more.isEmpty { continue }
                let vectors = try embed(more)
                pool += more
                fromLLM += more.map { $0.source != .wordnet }
                poolVectors += vectors
                selector.append(vectors: vectors)
            }
            let flags = fromLLM
            var choices: [CaptionSelector.Choice] = []
            if llmWanted > 0 {
                // The gap test is a gate for a chat model's concepts: never one not nearer to its gap.
                choices = selector.select(for: vector, count: llmWanted, allowed: { flags[$0] }, nearerOnly: true, similarities: similarities)
            }
            if options.concepts != .llm {
                choices += selector.select(for: vector, count: options.perGap - choices.count, allowed: chat == nil ? nil : { !flags[$0] },
                                           alongside: choices, similarities: similarities)
            }
            if choices.count < options.perGap { summary.short += 1 }
            for (number, choice) in choices.enumerated() {
                let candidate = pool[choice.index]
                let record = CaptionRecord(
                    family: candidate.family, concepts: candidate.concepts, classes: candidate.classes, gapKey: gap.key,
                    gapMethod: method, score: choice.score, gapSimilarity: choice.gapSimilarity, idSimilarity: choice.idSimilarity,
                    source: candidate.source)
                let embedding = Array(poolVectors[(choice.index * d)..<((choice.index + 1) * d)])
                try sink.write(Sample(key: SampleKey.derived(from: gap.key, suffix: String(format: "c%02d", number)), fields: [
                    "txt": Array(candidate.text.utf8),
                    "txt.npy": NPY.encode(embedding, shape: [d]),
                    "emb.npy": bytes,
                    "json": try CanonicalJSON.encode(record),
                ]))
                summary.captions += 1
                if candidate.source != .wordnet { summary.llm?.captions += 1 }
                if choice.gapSimilarity > choice.idSimilarity { summary.nearerToGap += 1 }
            }
            diagnostics.progress("caption: \(summary.gaps) gaps")
        }
        if summary.short > 0 && options.concepts == .llm {
            diagnostics.warn("""
                caption: \(summary.short) of \(summary.gaps) gaps got fewer than \(options.perGap) captions: too few of the \
                LLM's concepts are nearer to them than to the ID classes; ask for more (--llm-concepts-per-class) or mix \
                WordNet's in (--concepts wordnet+llm:URL)
                """)
        }
        summary.pool = pool.count
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        return summary
    }

    /// The options as the stream header records them: with the chat model's endpoint and name (never
    /// its key), which decide the concepts as much as the seed does.
    private var recordedOptions: [String: String] {
        guard let llm, options.concepts != .wordnet else { return options.record }
        return options.record.merging(["llm-endpoint": llm.client.endpoint, "llm-model": llm.model,
                                       "llm-concepts-per-class": String(llm.perClass)]) { $1 }
    }

    /// Asks the chat model about every class and kind. Nil when no concept came back and WordNet's go
    /// on alone (wordnet+llm); with llm alone that is an error.
    private func ask(_ llm: LLMConceptSource, classes: [String], summary: inout CaptionSummary) throws -> (LLMConceptSource.Outcome, String)? {
        diagnostics.progress("caption: asking \(llm.client.endpoint) (\(llm.model)) about \(classes.count) classes")
        let outcome = AsyncBridge.wait { await llm.propose(classes: classes) } ?? LLMConceptSource.Outcome()
        var tally = LLMConceptTally()
        (tally.asked, tally.cached, tally.failed, tally.proposed) = (outcome.asked, outcome.cached, outcome.failed, outcome.proposals.count)
        for (reason, count) in outcome.skipped { tally.unparsed.add(reason, count: count) }
        summary.llm = tally
        if outcome.proposals.isEmpty {
            let why = outcome.firstError.map { "no request was answered (\(outcome.failed) failed; first: \($0))" }
                ?? "no answer held a concept (skipped: \(tally.unparsed.summary))"
            guard options.concepts == .both else { throw PipelineError.invalidOption("caption: \(llm.client.endpoint): \(why)") }
            diagnostics.warn("caption: \(llm.client.endpoint): \(why); captions come from WordNet alone")
            return nil
        }
        if let first = outcome.firstError {
            diagnostics.warn("caption: \(outcome.failed) of \(outcome.failed + outcome.asked + outcome.cached) LLM requests failed (first: \(first)); going on with the rest")
        }
        return (outcome, llm.model)
    }

    /// Passes the proposals through the gates and returns the caption writer over what passed. Nil
    /// when nothing passed and WordNet's concepts go on alone (wordnet+llm); with llm alone that is an
    /// error.
    private func llmWriter(_ asked: (LLMConceptSource.Outcome, String), concepts: IDConcepts, inventory: ConceptInventory,
                           negCut: Float, prompts: [[Float]], summary: inout CaptionSummary) throws -> LLMCaptionWriter? {
        let (outcome, model) = asked
        var tally = summary.llm ?? LLMConceptTally()
        defer { summary.llm = tally }
        let screened = LLMConceptGate(concepts: concepts, model: model).screen(outcome.proposals)
        for (reason, count) in screened.rejected { tally.rejected.add(reason, count: count) }
        if !screened.examples.isEmpty {
            diagnostics.info("caption: LLM concepts that name an ID concept, dropped: \(screened.examples.joined(separator: ", "))")
        }
        // NegLabel's test at the cut WordNet's nouns set: the same bar for both sources.
        let scores = try negLabelScores(screened.passed.map { $0.concept.text }, prompts: prompts)
        let passed = screened.passed.indices.filter { scores[$0] <= negCut }.map { screened.passed[$0] }
        tally.rejected.add("neglabel", count: screened.passed.count - passed.count)
        tally.passed = passed.count
        guard !passed.isEmpty else {
            let why = "none of the LLM's \(tally.proposed) concepts passed the gates (rejected: \(tally.rejected.summary))"
            guard options.concepts == .both else { throw PipelineError.invalidOption("caption: \(why)") }
            diagnostics.warn("caption: \(why); captions come from WordNet alone")
            return nil
        }
        return LLMCaptionWriter(concepts: passed, inventory: inventory, idConcepts: concepts)
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
    /// class prompts; the `negKeep` share with the lowest values stay. Also returns the cut: the
    /// largest score kept, which a chat model's concepts must not exceed either.
    func negLabelFiltered(_ inventory: ConceptInventory, prompts: [[Float]]) throws -> (ConceptInventory, Float) {
        let nouns = inventory.nouns
        guard !nouns.isEmpty, !prompts.isEmpty else { return (inventory, .infinity) }
        let scores = try negLabelScores(nouns.map(\.text), prompts: prompts)
        let keep = max(1, Int((Double(nouns.count) * options.negKeep).rounded()))
        let order = nouns.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }.prefix(keep)
        let kept = Set(order)
        let cut = order.last.map { scores[$0] } ?? .infinity
        return (inventory.keepingNouns(nouns.indices.filter(kept.contains).map { nouns[$0] }), cut)
    }

    /// Per noun: the `negQuantile` of its prompt's similarities to the ID class prompts.
    func negLabelScores(_ nouns: [String], prompts: [[Float]]) throws -> [Float] {
        var scores: [Float] = []
        scores.reserveCapacity(nouns.count)
        for start in stride(from: 0, to: nouns.count, by: 512) {
            let batch = try text.embed(texts: nouns[start..<min(start + 512, nouns.count)].map { options.prompt($0) })
            for vector in batch {
                let sims = prompts.map { prompt in zip(vector, prompt).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.sorted()
                scores.append(IDDensity.quantile(sims, options.negQuantile))
            }
            diagnostics.progress("caption: NegLabel test \(min(start + 512, nouns.count))/\(nouns.count) nouns")
        }
        return scores
    }
}
