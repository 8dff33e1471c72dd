import Captions
import Testing

/// The answers chat models really give to "list concepts that look like a cat but are not one".
@Suite struct LLMAnswerParserTests {
    let parser = LLMAnswerParser()

    @Test func numberedList() {
        let result = parser.parse("1. Lynx\n2. Ocelot\n3) Red panda\n")
        #expect(result.concepts == ["lynx", "ocelot", "red panda"])
        #expect(result.skipped.isEmpty)
    }

    @Test func markdownBulletsWithExplanationsAndAChattyFirstLine() {
        let answer = """
            Here are some animals that look like cats but are not cats:

            - **Lynx** - a wild cat with tufted ears
            - **Ocelot**: a spotted wild cat of the Americas
            * Red panda (often mistaken for a cat)
            • Fennec fox — a small fox with large ears

            ---
            Let me know if you need more!
            """
        #expect(parser.parse(answer).concepts == ["lynx", "ocelot", "red panda", "fennec fox"])
    }

    @Test func commaListsOnOneLine() {
        #expect(parser.parse("lynx, ocelot, red panda and meerkat.").concepts == ["lynx", "ocelot", "red panda", "meerkat"])
        #expect(parser.parse("Lynx; ocelot; or civet").concepts == ["lynx", "ocelot", "civet"])
    }

    @Test func jsonArraysAndObjectsInCodeFences() {
        #expect(parser.parse("```json\n[\"Lynx\", \"Ocelot\"]\n```").concepts == ["lynx", "ocelot"])
        #expect(parser.parse("{\"concepts\": [\"sea otter\", \"mink\"]}").concepts == ["sea otter", "mink"])
    }

    @Test func proseGivesNothingAndSaysWhy() {
        let result = parser.parse("Sure! Cats are wonderful animals. Many other animals resemble them in various ways, such as size.")
        #expect(result.concepts.isEmpty)
        #expect(!result.skipped.isEmpty && result.skipped.keys.allSatisfy { ["prose", "too-long"].contains($0) }, "\(result.skipped)")
    }

    @Test func otherScriptsEmptyAnswersAndDuplicates() {
        let mixed = parser.parse("1. 山猫\n2. Рысь\n3. Lynx\n4. lynx\n5. crème brûlée")
        #expect(mixed.concepts == ["lynx", "crème brûlée"])
        #expect(mixed.skipped == ["not-english": 2, "duplicate": 1])
        #expect(parser.parse("").skipped == ["empty": 1])
        #expect(parser.parse("   \n\n").concepts.isEmpty)
    }

    @Test func headingsAndRulesAreNotConcepts() {
        let answer = "## Near OOD\n1. Bobcat\n2. Serval\n\n## Far OOD\n1. Teapot\n2. Lighthouse"
        #expect(parser.parse(answer).concepts == ["bobcat", "serval", "teapot", "lighthouse"])
    }
}
