import OODCore

/// Writes counterfactual captions from the concept inventory and the ID class names, in equal shares
/// over the template families, seeded. Class names appear only as the thing a caption modifies or
/// blends ("a bird made of glass"), never as a new concept; every caption is checked against the
/// ID concepts before it is kept.
public struct CounterfactualGrammar: Sendable {
    public let inventory: ConceptInventory
    public let concepts: IDConcepts
    /// The families written, in turn.
    public let families: [CaptionFamily]
    /// Whether a subject may be an ID class name (half of the time) rather than a new noun. Off for a
    /// grammar over a chat model's concepts: every caption it writes must name one of them.
    public let modifiesClasses: Bool
    /// The random stream's name: two grammars with one seed draw independently.
    public let stream: String
    /// Whether each caption's words are checked against every sense of every ID concept, as a net
    /// under the inventory's first-sense test. Off for concepts a gate has judged already: "hot air
    /// balloon" would fall for a rare sense of "air" (a tune, so music).
    public let screensText: Bool

    public init(inventory: ConceptInventory, concepts: IDConcepts, families: [CaptionFamily] = CaptionFamily.allCases,
                modifiesClasses: Bool = true, stream: String = "captions", screensText: Bool = true) {
        self.inventory = inventory
        self.concepts = concepts
        self.families = families
        self.modifiesClasses = modifiesClasses
        self.stream = stream
        self.screensText = screensText
    }

    /// About `count` distinct captions (fewer if the inventory is small), none of them in `existing`.
    /// `round` draws a further, different batch for the same seed.
    public func candidates(count: Int, seed: UInt64, round: Int = 0, existing: Set<String> = []) -> [CaptionCandidate] {
        var random = SeededGenerator(seed: seed, key: round == 0 ? stream : "\(stream)/\(round)")
        var seen = existing
        var result: [CaptionCandidate] = []
        guard !families.isEmpty else { return [] }
        var attempts = 0
        while result.count < count && attempts < count * 4 {
            let family = families[attempts % families.count]
            attempts += 1
            guard let candidate = make(family, random: &random), seen.insert(candidate.text).inserted,
                  !screensText || concepts.excludedMention(in: candidate.text, allowingClassNames: true) == nil else { continue }
            result.append(candidate)
        }
        return result
    }

    private var classWords: [String] { concepts.classNames.map { IDConcepts.words($0).lowercased() } }

    private func pick<T>(_ items: [T], _ random: inout SeededGenerator) -> T? {
        items.isEmpty ? nil : items[random.nextIndex(below: items.count)]
    }

    /// A subject: an ID class name half of the time (to modify), else a new noun.
    private func subject(_ random: inout SeededGenerator) -> (text: String, concept: Concept?, classes: [String])? {
        if modifiesClasses, random.nextIndex(below: 2) == 0, let name = pick(classWords, &random) { return (name, nil, [name]) }
        guard let noun = pick(inventory.nouns, &random) else { return nil }
        return (noun.text, noun, [])
    }

    func make(_ family: CaptionFamily, random: inout SeededGenerator) -> CaptionCandidate? {
        switch family {
        case .novel:
            guard let noun = pick(inventory.nouns, &random) else { return nil }
            let frames = ["a photo of %@", "%@", "a close-up of %@"]
            let text = frames[random.nextIndex(below: frames.count)].replacingOccurrences(of: "%@", with: Grammar.withArticle(noun.text))
            return CaptionCandidate(text: text, family: family, concepts: [noun], classes: [])
        case .hybrid:
            let owners = inventory.parts.keys.sorted()
            guard let owner = pick(owners, &random), let part = pick(inventory.parts[owner] ?? [], &random),
                  let base = subject(&random), base.text != owner,
                  let ownerConcept = inventory.nouns.first(where: { $0.text == owner }) else { return nil }
            let text = "\(Grammar.withArticle(base.text)) with the \(part.text) of \(Grammar.withArticle(owner))"
            return CaptionCandidate(text: text, family: family, concepts: [base.concept, part, ownerConcept].compactMap { $0 }, classes: base.classes)
        case .material:
            guard let material = pick(inventory.materials, &random), let base = subject(&random) else { return nil }
            let plural = random.nextIndex(below: 4) == 0
            let head = plural ? Grammar.plural(base.text, irregular: inventory.irregularPlurals) : Grammar.withArticle(base.text)
            return CaptionCandidate(text: "\(head) made of \(material.text)", family: family,
                                    concepts: [base.concept, material].compactMap { $0 }, classes: base.classes)
        case .context:
            guard let scene = pick(inventory.scenes, &random), let base = subject(&random) else { return nil }
            let plural = random.nextIndex(below: 4) == 0
            let head = plural ? "two " + Grammar.plural(base.text, irregular: inventory.irregularPlurals) : Grammar.withArticle(base.text)
            return CaptionCandidate(text: "\(head) in \(Grammar.withArticle(scene.text))", family: family,
                                    concepts: [base.concept, scene].compactMap { $0 }, classes: base.classes)
        case .attribute:
            guard let attribute = pick(inventory.attributes, &random), let base = subject(&random) else { return nil }
            return CaptionCandidate(text: Grammar.withArticle("\(attribute.text) \(base.text)"), family: family,
                                    concepts: [attribute, base.concept].compactMap { $0 }, classes: base.classes)
        case .interpolation:
            let words = classWords
            guard words.count >= 2 else { return nil }
            let first = random.nextIndex(below: words.count)
            var second = random.nextIndex(below: words.count - 1)
            if second >= first { second += 1 }
            let frames = ["a cross between %1 and %2", "something halfway between %1 and %2", "%1 that is also %2"]
            let text = frames[random.nextIndex(below: frames.count)]
                .replacingOccurrences(of: "%1", with: Grammar.withArticle(words[first]))
                .replacingOccurrences(of: "%2", with: Grammar.withArticle(words[second]))
            return CaptionCandidate(text: text, family: family, concepts: [], classes: [words[first], words[second]])
        }
    }
}
