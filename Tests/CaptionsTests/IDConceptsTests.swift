import Foundation
import Testing
@testable import Captions

/// ID-concept exclusion on the real WordNet: for ID classes {cat, car, apple}, their synonyms and
/// every kind of them are banned; siblings and unrelated things are not.
@Suite struct IDConceptsTests {
    static var concepts: IDConcepts? {
        guard let wordnet = try? WordNetTests.loaded.get() else { return nil }
        return IDConcepts(classNames: ["cat", "car", "apple"], wordnet: wordnet)
    }

    @Test func synonymsAndHyponymsOfTheClassesAreNamedAsExcluded() throws {
        let concepts = try #require(Self.concepts, "wordnet-base is not installed (scripts/setup installs it)")
        for caption in ["a kitten on a sofa", "a Persian cat", "two sedans in the rain", "a Granny Smith",
                        "a tabby", "an automobile", "a motorcar", "kittens", "a Siamese cat", "a convertible",
                        "a McIntosh", "a cab", "a tomcat"] {
            #expect(concepts.excludedMention(in: caption) != nil, "\(caption) passed")
            #expect(concepts.excludedMention(in: caption, allowingClassNames: true) != nil, "\(caption) passed")
        }
        #expect(concepts.excludedMention(in: "a feline") != nil, "the near hypernym")
    }

    @Test func otherConceptsAndModifiedClassNamesPass() throws {
        let concepts = try #require(Self.concepts, "wordnet-base is not installed (scripts/setup installs it)")
        for caption in ["a dog", "a truck made of glass", "a pear", "a lighthouse in the fog", "a bicycle with wings"] {
            #expect(concepts.excludedMention(in: caption) == nil, "\(caption): \(concepts.excludedMention(in: caption) ?? "")")
        }
        #expect(concepts.excludedMention(in: "a cat made of glass") == "cat")
        #expect(concepts.excludedMention(in: "a cat made of glass", allowingClassNames: true) == nil)
        #expect(concepts.unmatched.isEmpty)
        let wordnet = try WordNetTests.loaded.get()
        #expect(!concepts.allows(try #require(wordnet.lookup("kitten").first)))
        #expect(concepts.allows(try #require(wordnet.lookup("dog").first)))
    }

    @Test func pluralAndMultiwordClassNamesMapToSynsets() throws {
        let wordnet = try #require(try? WordNetTests.loaded.get(), "wordnet-base is not installed (scripts/setup installs it)")
        let concepts = IDConcepts(classNames: ["sea_horses", "Granny-Smith", "qwertyzzz"], wordnet: wordnet)
        #expect(!(concepts.classSynsets["sea_horses"] ?? []).isEmpty)
        #expect(!(concepts.classSynsets["Granny-Smith"] ?? []).isEmpty)
        #expect(concepts.unmatched == ["qwertyzzz"])
        #expect(concepts.excludedMention(in: "a seahorse") != nil)
    }

    /// What a chat model plausibly proposes as "like a cat / bird / apple but not one", parsed as
    /// LLMAnswerParser parses it: the kinds and synonyms of the classes are caught (a lynx is a wild cat
    /// in WordNet), the rest pass. The LLM proposes; WordNet disposes.
    @Test func conceptsAnLLMProposesAreCheckedLikeWordNetsOwn() throws {
        let wordnet = try #require(try? WordNetTests.loaded.get(), "wordnet-base is not installed (scripts/setup installs it)")
        let concepts = IDConcepts(classNames: ["cat", "bird", "apple"], wordnet: wordnet)
        let answer = """
            1. Kitten
            2. **Sparrow** - a small bird
            3. Granny Smith
            4. lynx
            5. Robins
            6. Tomcat (male cat)
            7. Ferret
            8. Red panda
            9. Pear
            10. Tennis ball
            11. Fruit bat
            """
        let phrases = LLMAnswerParser().parse(answer).concepts
        let gate = LLMConceptGate(concepts: concepts, model: "m")
        let caught = phrases.filter { concepts.idMention(inProposal: $0) != nil }
        #expect(caught == ["kitten", "sparrow", "granny smith", "lynx", "robins", "tomcat"], "\(caught)")
        let screened = gate.screen(phrases.map { LLMConceptSource.Proposal(phrase: $0, className: "cat", kind: .near) })
        #expect(screened.passed.map(\.concept.text) == ["ferret", "red panda", "pear", "tennis ball", "fruit bat"])
        #expect(screened.rejected == ["id-concept": 6])
        #expect(screened.passed.first?.source == .llm(model: "m", kind: .near, className: "cat"))
    }

    /// The gate judges a phrase WordNet knows by its first sense and its picturable senses ("hammer" is
    /// a tool, though WordNet lists a gunlock's part first; "hot air balloon" is no tune although "air"
    /// can be one), and one it does not know by its parts and by the class names as strings (a class
    /// WordNet lacks, "smiley", too). Plurals and articles come off first.
    @Test func theLLMGateJudgesByFirstSenseAndByPartsOfUnknownPhrases() throws {
        let wordnet = try #require(try? WordNetTests.loaded.get(), "wordnet-base is not installed (scripts/setup installs it)")
        let classes = ["bird", "computer", "dessert", "flag", "fruit", "house", "insect", "mammal", "music", "smiley", "sport", "tool"]
        let gate = LLMConceptGate(concepts: IDConcepts(classNames: classes, wordnet: wordnet), model: "m")
        func passes(_ phrase: String) -> Bool {
            !gate.screen([LLMConceptSource.Proposal(phrase: phrase, className: "bird", kind: .near)]).passed.isEmpty
        }
        for phrase in ["hot air balloon", "paper airplane", "lighthouse", "an umbrella", "windmills", "weather vane", "teapots"] {
            #expect(passes(phrase), "\(phrase)")
        }
        for phrase in ["ice cream", "ladybugs", "union jack", "robotic sparrow", "smiley face", "a laptop", "cottage", "hammer", "a kitten",
                       "kite"] { // a kite is a hawk too: strict where the picture is ambiguous
            #expect(!passes(phrase), "\(phrase)")
        }
        let twice = gate.screen(["windmills", "windmill", "a windmill"].map { LLMConceptSource.Proposal(phrase: $0, className: "bird", kind: .far) })
        #expect(twice.passed.map(\.concept.text) == ["windmill"] && twice.rejected == ["repeated": 2])
    }
}
