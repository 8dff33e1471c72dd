/// Writes captions around a chat model's concepts that passed the gates: each caption names one of
/// them as the new thing, alone ("a photo of a ferret") or changed by WordNet's materials, scenes and
/// visual attributes ("a ferret made of glass", "a striped ferret"), all of which passed their gates
/// (the concept the LLM gate, the modifiers the inventory's). Never an ID class as the subject:
/// a caption from this source is there for its concept. Its own random stream, so adding a chat model
/// leaves WordNet's captions as they were.
public struct LLMCaptionWriter: Sendable {
    public let grammar: CounterfactualGrammar
    /// The source of each concept, by its text.
    let sources: [String: CaptionSource]

    public init(concepts passed: [LLMConceptGate.Passed], inventory: ConceptInventory, idConcepts: IDConcepts) {
        grammar = CounterfactualGrammar(inventory: inventory.keepingNouns(passed.map(\.concept)), concepts: idConcepts,
                                        families: [.novel, .material, .context, .attribute], modifiesClasses: false, stream: "llm-captions",
                                        screensText: false)
        var sources: [String: CaptionSource] = [:]
        for item in passed where sources[item.concept.text] == nil { sources[item.concept.text] = item.source }
        self.sources = sources
    }

    /// Up to `count` captions not in `existing`, each with the source of the concept it names.
    public func write(count: Int, seed: UInt64, round: Int = 0, existing: Set<String> = []) -> [CaptionCandidate] {
        grammar.candidates(count: count, seed: seed, round: round, existing: existing).compactMap { candidate in
            guard let source = candidate.concepts.lazy.compactMap({ sources[$0.text] }).first else { return nil }
            var stamped = candidate
            stamped.source = source
            return stamped
        }
    }
}
