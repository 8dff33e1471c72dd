/// The first gate on a chat model's proposals, the one WordNet can judge alone: each phrase in its base
/// form ("ferrets" -> "ferret", no article), once (its first proposal, in class, kind and answer order),
/// and none that names an ID concept (a class name, a synonym, a kind of a class, a near hypernym, a
/// noun whose definition names a class). NegLabel's similarity test and the gap test need the text
/// tower and follow in the caption stage.
public struct LLMConceptGate: Sendable {
    public let concepts: IDConcepts
    public let model: String

    public init(concepts: IDConcepts, model: String) {
        self.concepts = concepts
        self.model = model
    }

    public struct Passed: Sendable, Equatable {
        public var concept: Concept
        public var source: CaptionSource
    }

    public struct Outcome: Sendable {
        public var passed: [Passed] = []
        /// Proposals that did not pass, by reason: "id-concept", "repeated".
        public var rejected: [String: Int] = [:]
        /// A few of the ID concepts caught, for the log ("kitten (kitten)").
        public var examples: [String] = []
    }

    public func screen(_ proposals: [LLMConceptSource.Proposal]) -> Outcome {
        var outcome = Outcome()
        var seen = Set<String>()
        for proposal in proposals {
            let phrase = baseForm(proposal.phrase)
            guard !phrase.isEmpty, seen.insert(phrase).inserted else {
                outcome.rejected["repeated", default: 0] += 1
                continue
            }
            if let named = concepts.idMention(inProposal: phrase) {
                outcome.rejected["id-concept", default: 0] += 1
                if outcome.examples.count < 5 { outcome.examples.append(named == phrase ? phrase : "\(phrase) (\(named))") }
                continue
            }
            let synset = concepts.wordnet.lookup(phrase).first
            outcome.passed.append(Passed(concept: Concept(phrase: phrase, synset: synset),
                                         source: .llm(model: model, kind: proposal.kind, className: proposal.className)))
        }
        return outcome
    }

    /// Lower case, no leading article, and the singular when WordNet knows it ("red pandas" -> "red panda").
    func baseForm(_ phrase: String) -> String {
        var words = phrase.lowercased().split(separator: " ").map(String.init)
        if let first = words.first, ["a", "an", "the", "some"].contains(first), words.count > 1 { words.removeFirst() }
        let text = words.joined(separator: " ")
        // morphy gives the phrase itself first when it is a lemma ("glasses"), else its base form.
        guard let base = concepts.wordnet.morphy(text).first else { return text }
        return base.replacingOccurrences(of: "_", with: " ")
    }
}
