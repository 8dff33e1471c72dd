/// The concepts a counterfactual caption must not name: every sense of every ID class name, their
/// synonyms (the other lemmas of those synsets), all their hyponyms, and the hypernyms up to
/// `hypernymDepth` levels above the name's first (most frequent) sense ("feline" for cat; not "man"
/// above the slang sense of cat, which would ban half the language). WordNet files some kinds
/// elsewhere ("kitten" is a young mammal, glossed "young domestic cat"), so a noun whose definition
/// names a class is excluded too, with its hyponyms. Class names are matched to synsets through
/// morphy, so plural and multiword names work ("sea horses", "granny_smith").
public struct IDConcepts: Sendable {
    public let classNames: [String]
    /// The synsets each class name maps to (empty when WordNet does not know it).
    public let classSynsets: [String: [SynsetID]]
    public let excluded: Set<SynsetID>
    /// Every lemma of an excluded synset, lower case with spaces ("persian cat").
    public let excludedLemmas: Set<String>
    /// The class names themselves, lower case with spaces: a counterfactual may modify one ("a cat made
    /// of glass") but never name a synonym or a kind of it.
    public let classLemmas: Set<String>
    /// Each class name as words, in its singular and plural spellings.
    let classSurfaces: [[String]]
    let wordnet: WordNet

    public init(classNames: [String], wordnet: WordNet, hypernymDepth: Int = 1) {
        self.classNames = classNames
        self.wordnet = wordnet
        var classSynsets: [String: [SynsetID]] = [:]
        var excluded = Set<SynsetID>()
        for name in classNames {
            let text = Self.words(name)
            let synsets = wordnet.lookup(text)
            classSynsets[name] = synsets
            for synset in synsets {
                excluded.insert(synset)
                excluded.formUnion(wordnet.closure(synset, wordnet.hyponyms))
            }
            var level = Array(synsets.prefix(1))
            for _ in 0..<max(0, hypernymDepth) {
                level = level.flatMap { wordnet.hypernyms($0) }
                excluded.formUnion(level)
            }
        }
        // Nouns whose definition (the gloss up to its first ';') names a class, in any inflection.
        let surfaces = Self.surfaceForms(classNames.map { Self.words($0).lowercased() }, wordnet: wordnet)
        for (id, synset) in wordnet.synsets where id.file == .noun && !excluded.contains(id) {
            let definition = synset.gloss.prefix { $0 != ";" }.lowercased()
            let tokens = definition.split { !($0.isLetter || $0 == "-" || $0 == "'") }.map(String.init)
            let named = surfaces.contains { phrase in
                phrase.count <= tokens.count && (0...(tokens.count - phrase.count)).contains { Array(tokens[$0..<($0 + phrase.count)]) == phrase }
            }
            if named {
                excluded.insert(id)
                excluded.formUnion(wordnet.closure(id, wordnet.hyponyms))
            }
        }
        self.classSynsets = classSynsets
        self.excluded = excluded
        excludedLemmas = Set(excluded.compactMap { wordnet[$0] }.flatMap { $0.lemmas.map { $0.lowercased() } })
        classLemmas = Set(classNames.map { Self.words($0).lowercased() })
        classSurfaces = surfaces
    }

    /// Class names WordNet has no noun for; only the embedding test guards against them.
    public var unmatched: [String] { classNames.filter { classSynsets[$0]?.isEmpty ?? true } }

    /// Whether a concept may appear in a caption as something new.
    public func allows(_ synset: SynsetID) -> Bool { !excluded.contains(synset) }

    /// The first excluded concept `text` names, as a phrase of up to four words (each also tried in its
    /// base form, so plurals count), or nil. With `allowingClassNames`, the class names themselves pass.
    public func excludedMention(in text: String, allowingClassNames: Bool = false) -> String? {
        let tokens = text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "'" || $0 == "-") }.map(String.init)
        for length in stride(from: min(4, tokens.count), through: 1, by: -1) {
            for start in 0...(tokens.count - length) {
                let phrase = tokens[start..<(start + length)].joined(separator: " ")
                let forms = [phrase] + wordnet.morphy(phrase).map { $0.replacingOccurrences(of: "_", with: " ") }
                for form in forms where excludedLemmas.contains(form) {
                    if allowingClassNames && classLemmas.contains(form) { continue }
                    return phrase
                }
            }
        }
        return nil
    }

    /// For a phrase proposed as a new concept (a chat model's answer), the ID concept it names, or nil.
    /// A phrase WordNet knows is judged by the senses a picture of it could mean: its first sense and
    /// every sense among the picturable things the inventory draws on (animals, artifacts, foods,
    /// objects, plants). So "lynx" is a wild cat although WordNet lists a text browser first, while a
    /// rare abstract sense does not count ("air" as a tune is music, "hot air balloon" stays). A phrase
    /// WordNet does not know ("robotic sparrow") is judged by its parts the same way, and by the class
    /// names as strings, also those WordNet does not know ("smiley face").
    public func idMention(inProposal phrase: String) -> String? {
        let tokens = IDConcepts.words(phrase.lowercased()).split(separator: " ").map(String.init)
        guard !tokens.isEmpty else { return nil }
        func excludedSense(_ text: String) -> Bool? {
            let senses = wordnet.lookup(text)
            guard let first = senses.first else { return nil }
            let picturable = senses.filter { ConceptInventory.nounFiles.contains(wordnet[$0]?.lexFile ?? -1) }
            return !([first] + picturable).allSatisfy(allows)
        }
        if let excluded = excludedSense(tokens.joined(separator: " ")) { return excluded ? phrase : nil }
        for length in stride(from: min(4, tokens.count - 1), through: 1, by: -1) {
            for start in 0...(tokens.count - length) {
                let part = tokens[start..<(start + length)].joined(separator: " ")
                if excludedSense(part) == true { return part }
            }
        }
        for form in classSurfaces where form.count <= tokens.count {
            if (0...(tokens.count - form.count)).contains(where: { Array(tokens[$0..<($0 + form.count)]) == form }) {
                return form.joined(separator: " ")
            }
        }
        return nil
    }

    /// Each name as a word sequence, in its singular and plural spellings (+s, +es, -y +ies, and the
    /// irregular plurals of the exception list).
    static func surfaceForms(_ names: [String], wordnet: WordNet) -> [[String]] {
        var irregular: [String: [String]] = [:]
        for (form, bases) in wordnet.exceptions[.noun] ?? [:] {
            for base in bases { irregular[base.replacingOccurrences(of: "_", with: " "), default: []].append(form.replacingOccurrences(of: "_", with: " ")) }
        }
        var forms: [[String]] = []
        for name in names where !name.isEmpty {
            var words = name.split(separator: " ").map(String.init)
            let last = words.removeLast()
            var endings = [last, last + "s", last + "es"]
            if last.hasSuffix("y") { endings.append(String(last.dropLast()) + "ies") }
            endings += (irregular[name] ?? []).compactMap { $0.split(separator: " ").last.map(String.init) }
            forms += endings.map { words + [$0] }
        }
        return forms
    }

    /// A class name as words: `_` and `-` become spaces.
    static func words(_ name: String) -> String {
        name.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
