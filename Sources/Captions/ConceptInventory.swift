/// The words counterfactual captions are made of, all from WordNet and all outside the ID concepts:
/// picturable nouns (animals, artifacts, foods, plants, natural objects), their parts, materials,
/// scenes, and visual adjectives (colour, texture, size, shape). Only words seen in the SemCor corpus
/// (tagged-sense count at or above a floor) are used, so captions read like English rather than a
/// botany index; scenes and materials come from the hyponyms of a few anchors (room, building,
/// landform, body of water; metal, fabric, wood, stone, ...) because WordNet's location and
/// substance files are mostly abstract (parishes, trade routes) or chemical (cholesterol).
public struct ConceptInventory: Sendable {
    public let nouns: [Concept]
    /// Parts by the noun (its `text`) they belong to.
    public let parts: [String: [Concept]]
    public let materials: [Concept]
    public let scenes: [Concept]
    public let attributes: [Concept]
    /// Singular to plural, from WordNet's noun exception list.
    let irregularPlurals: [String: String]

    /// Lexicographer files of picturable things: animal, artifact, food, object, plant.
    static let nounFiles: Set<Int> = [5, 6, 13, 17, 20]
    /// Attribute nouns whose adjectives describe how something looks.
    static let visualAttributes = ["color", "texture", "shape"]
    static let sceneAnchors = ["room", "building", "geological formation", "body of water", "forest", "field", "street", "park", "desert", "beach"]
    static let materialAnchors = ["metal", "fabric", "wood", "stone", "glass", "plastic", "paper", "ice", "clay", "leather", "rubber", "sand", "crystal", "wax"]

    init(nouns: [Concept], parts: [String: [Concept]], materials: [Concept], scenes: [Concept], attributes: [Concept],
         irregularPlurals: [String: String]) {
        (self.nouns, self.parts, self.materials, self.scenes) = (nouns, parts, materials, scenes)
        (self.attributes, self.irregularPlurals) = (attributes, irregularPlurals)
    }

    public init(wordnet: WordNet, excluding concepts: IDConcepts) {
        // A word is used only in its most frequent sense: "guide" is a person first, so the artifact
        // sense (a structure that directs motion) would caption as something else entirely.
        func usable(_ lemma: String, _ id: SynsetID, file: SynsetID.File, maxWords: Int, familiar: Int) -> Bool {
            lemma.split(separator: " ").count <= maxWords
                && wordnet.lookup(lemma, in: file).first == id
                && lemma.allSatisfy { $0.isLowercase || $0 == " " }
                && wordnet.familiarity(lemma, in: file) >= familiar
                && concepts.allows(id) && !concepts.excludedLemmas.contains(lemma)
        }
        func collect(_ ids: [SynsetID], file: SynsetID.File = .noun, maxWords: Int = 2, familiar: Int = 2) -> [Concept] {
            var seen = Set<String>()
            var result: [Concept] = []
            for id in ids.sorted() {
                guard let synset = wordnet[id] else { continue }
                for lemma in synset.lemmas where usable(lemma, id, file: file, maxWords: maxWords, familiar: familiar) && seen.insert(lemma).inserted {
                    result.append(Concept(text: lemma, synset: id))
                }
            }
            return result.sorted { $0.text < $1.text }
        }
        let nounIDs = wordnet.synsets.filter { $0.key.file == .noun }
        nouns = collect(nounIDs.filter { Self.nounFiles.contains($0.value.lexFile) }.map(\.key), familiar: 1)
        func anchored(_ anchors: [String]) -> [SynsetID] {
            anchors.flatMap { anchor in wordnet.lookup(anchor).prefix(1).flatMap { [$0] + wordnet.closure($0, wordnet.hyponyms) } }
        }
        var parts: [String: [Concept]] = [:]
        for noun in nouns {
            guard let id = wordnet.lookup(noun.text).first(where: { $0.description == noun.synset }) ?? wordnet.lookup(noun.text).first else { continue }
            let found = collect(wordnet.partMeronyms(id), maxWords: 1, familiar: 1)
            if !found.isEmpty { parts[noun.text] = found }
        }
        self.parts = parts
        materials = collect(anchored(Self.materialAnchors), maxWords: 1)
        scenes = collect(anchored(Self.sceneAnchors), maxWords: 2)
        let attributeNouns = Set(Self.visualAttributes.flatMap { wordnet.lookup($0).prefix(1) })
        let heads = wordnet.synsets.filter { $0.key.file == .adjective && !$0.value.targets(["="]).filter(attributeNouns.contains).isEmpty }.map(\.key)
        let adjectives = heads + heads.flatMap { wordnet.similar($0) }
        // Colour words are nouns in WordNet (red is a chromatic colour) but read as adjectives before a noun.
        let colours = collect(anchored(["chromatic color"]), maxWords: 1)
        var seenAttributes = Set<String>()
        attributes = (collect(adjectives, file: .adjective, maxWords: 1, familiar: 2) + colours)
            .filter { seenAttributes.insert($0.text).inserted }.sorted { $0.text < $1.text }
        var irregular: [String: String] = [:]
        for (form, bases) in wordnet.exceptions[.noun] ?? [:] where !form.contains("_") {
            for base in bases where irregular[base] == nil { irregular[base] = form }
        }
        irregularPlurals = irregular
    }
}

extension ConceptInventory {
    /// The same inventory with only `nouns` as new nouns (their parts kept).
    public func keepingNouns(_ nouns: [Concept]) -> ConceptInventory {
        let names = Set(nouns.map(\.text))
        return ConceptInventory(nouns: nouns, parts: parts.filter { names.contains($0.key) }, materials: materials,
                                scenes: scenes, attributes: attributes, irregularPlurals: irregularPlurals)
    }
}
