import Foundation
import Testing
@testable import Captions

@Suite struct GrammarTests {
    @Test(arguments: [("owl", "an owl"), ("unicorn", "a unicorn"), ("hourglass", "an hourglass"), ("eulogy", "a eulogy"),
                      ("apple", "an apple"), ("kettle", "a kettle"), ("one-way street", "a one-way street"), ("umbrella", "an umbrella")])
    func articleFollowsTheSound(noun: String, expected: String) {
        #expect(Grammar.withArticle(noun) == expected)
    }

    @Test func pluralsAreRegularIrregularOrAlreadyPlural() {
        let irregular = ["goose": "geese", "mouse": "mice"]
        #expect(Grammar.plural("box", irregular: irregular) == "boxes")
        #expect(Grammar.plural("city", irregular: irregular) == "cities")
        #expect(Grammar.plural("day", irregular: irregular) == "days")
        #expect(Grammar.plural("goose", irregular: irregular) == "geese")
        #expect(Grammar.plural("sea horse", irregular: irregular) == "sea horses")
        #expect(Grammar.plural("headquarters", irregular: irregular) == "headquarters")
        #expect(Grammar.plural("glass", irregular: irregular) == "glasses")
        #expect(Grammar.plural("church", irregular: irregular) == "churches")
    }
}

/// The caption grammar on the real WordNet for ID classes {cat, car, apple}.
@Suite struct CounterfactualGrammarTests {
    static var grammar: CounterfactualGrammar? {
        guard let wordnet = try? WordNetTests.loaded.get() else { return nil }
        let concepts = IDConcepts(classNames: ["cat", "car", "apple"], wordnet: wordnet)
        return CounterfactualGrammar(inventory: ConceptInventory(wordnet: wordnet, excluding: concepts), concepts: concepts)
    }

    @Test func noCaptionNamesASynonymOrKindOfAnIDClass() throws {
        let grammar = try #require(Self.grammar, "wordnet-base is not installed (scripts/setup installs it)")
        let captions = grammar.candidates(count: 3000, seed: 1)
        #expect(captions.count == 3000)
        for caption in captions {
            #expect(grammar.concepts.excludedMention(in: caption.text, allowingClassNames: true) == nil, "\(caption.text)")
            for banned in ["kitten", "persian cat", "sedan", "granny smith", "automobile", "tomcat", "feline"] {
                #expect(!caption.text.lowercased().contains(banned), "\(caption.text)")
            }
        }
        #expect(Set(captions.map(\.family)) == Set(CaptionFamily.allCases))
        #expect(Set(captions.map(\.text)).count == captions.count)
    }

    @Test func sameSeedSameCaptions() throws {
        let grammar = try #require(Self.grammar, "wordnet-base is not installed (scripts/setup installs it)")
        #expect(grammar.candidates(count: 200, seed: 4) == grammar.candidates(count: 200, seed: 4))
        #expect(grammar.candidates(count: 200, seed: 4) != grammar.candidates(count: 200, seed: 5))
    }
}

/// Selection on toy vectors whose answers are known.
@Suite struct CaptionSelectorTests {
    @Test func prefersCaptionsNearerTheGapNeverRepeatsAndDiversifies() {
        // 2-d: captions at angles; ID prompt on the x axis; gap on the y axis.
        let angles: [Float] = [0.1, 1.5, 1.52, 1.2, 1.0, 3.0]
        let vectors = angles.flatMap { [cos($0), sin($0)] }
        var selector = CaptionSelector(vectors: vectors, dimension: 2, prompts: [[1, 0]])
        selector.diversity = 0.5
        // Scores (gap - ID): c5 1.13 (far from the ID prompt), c2 0.95, c1 0.93, c3 0.57, c4 0.30, c0 -0.90.
        let first = selector.select(for: [0, 1], count: 2)
        #expect(first.map(\.index) == [5, 2], "\(first.map(\.index))")
        #expect(first.allSatisfy { $0.gapSimilarity > $0.idSimilarity })
        // Then c1, c3 and c4 by score less redundancy; c0, nearer the ID prompt than the gap, comes last.
        let second = selector.select(for: [0, 1], count: 4)
        #expect(second.map(\.index) == [1, 3, 4, 0], "\(second.map(\.index))")
        #expect(selector.select(for: [0, 1], count: 2).isEmpty, "every caption is used once")
        #expect(selector.select(for: [0, 1, 0], count: 1).isEmpty, "a gap of another dimension")
    }
}
