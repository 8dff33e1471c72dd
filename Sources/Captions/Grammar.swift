/// English noun-phrase grammar for the caption templates: the indefinite article by sound, and
/// plurals from WordNet's exception list or the regular rules.
enum Grammar {
    /// Words that start with a vowel letter but a consonant sound, and the reverse.
    private static let consonantSound = ["uni", "use", "usu", "uti", "ure", "eu", "one", "once", "ewe", "uk", "ufo", "ubiq", "ura"]
    private static let vowelSound = ["hour", "honest", "honor", "honour", "heir", "herb"]

    /// "a" or "an" for the word that follows.
    static func article(for phrase: String) -> String {
        let word = phrase.lowercased()
        if vowelSound.contains(where: { word.hasPrefix($0) }) { return "an" }
        if consonantSound.contains(where: { word.hasPrefix($0) }) { return "a" }
        guard let first = word.first else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }

    /// The phrase with its indefinite article: "an owl", "a unicorn", "an hourglass".
    static func withArticle(_ phrase: String) -> String { "\(article(for: phrase)) \(phrase)" }

    /// The plural of a noun phrase (its last word): irregular forms from WordNet's exception list,
    /// else -ies, -es or -s.
    static func plural(_ phrase: String, irregular: [String: String]) -> String {
        var words = phrase.split(separator: " ").map(String.init)
        guard let last = words.popLast() else { return phrase }
        let plural: String
        if let known = irregular[last] {
            plural = known
        } else if last.hasSuffix("s") && !["ss", "us", "is"].contains(where: { last.hasSuffix($0) }) {
            // Already plural in form ("headquarters", "scissors").
            plural = last
        } else if last.hasSuffix("y"), let before = last.dropLast().last, !"aeiou".contains(before) {
            plural = last.dropLast() + "ies"
        } else if ["s", "x", "z", "ch", "sh"].contains(where: { last.hasSuffix($0) }) {
            plural = last + "es"
        } else {
            plural = last + "s"
        }
        return (words + [plural]).joined(separator: " ")
    }
}
