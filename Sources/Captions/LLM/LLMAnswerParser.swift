import Foundation

/// Turns a chat model's answer to "list N concepts ..." into concept phrases, leniently: servers and
/// models answer with numbered or bulleted lists, comma lists, JSON arrays, markdown, a chatty first
/// line, explanations after a dash or colon. What cannot be a short English noun phrase is skipped and
/// counted by reason, so a bad answer costs its concepts and never the stage.
public struct LLMAnswerParser: Sendable {
    /// Phrases longer than this are sentences, not concepts.
    public var maxWords = 4

    public init(maxWords: Int = 4) {
        self.maxWords = maxWords
    }

    public struct Result: Sendable, Equatable {
        /// Lower-case phrases in answer order, each once.
        public var concepts: [String] = []
        /// Skipped items by reason: "prose", "not-english", "empty", "duplicate", "too-long".
        public var skipped: [String: Int] = [:]

        mutating func skip(_ reason: String) { skipped[reason, default: 0] += 1 }
    }

    public func parse(_ answer: String) -> Result {
        var result = Result()
        var seen = Set<String>()
        for item in items(of: answer) {
            switch clean(item) {
            case .success(let phrase):
                if seen.insert(phrase).inserted { result.concepts.append(phrase) } else { result.skip("duplicate") }
            case .failure(let reason):
                result.skip(reason.rawValue)
            }
        }
        if result.concepts.isEmpty && result.skipped.isEmpty { result.skip("empty") }
        return result
    }

    enum Skip: String, Error { case prose, notEnglish = "not-english", empty, tooLong = "too-long" }

    /// The candidate items of an answer: a JSON array's strings when the answer holds one, else its
    /// list lines, else the comma- or semicolon-separated parts of a one-line answer.
    func items(of answer: String) -> [String] {
        let text = answer.replacingOccurrences(of: "\r\n", with: "\n")
        if let array = jsonStrings(in: text) { return array }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("```") && !Self.isRule($0) }
        let listed = lines.filter { Self.listMarker(in: $0) != nil }
        if listed.count >= 2 { return listed.flatMap(splitInline) }
        // No list: a one-line (or few-line) comma list, or prose whose sentences get skipped.
        return lines.flatMap { line -> [String] in
            let body = Self.stripHeading(line)
            return body.hasSuffix(":") ? [] : splitInline(body)
        }
    }

    /// "a, b and c" or "a; b" on one line: the parts; a lone phrase stays whole.
    private func splitInline(_ line: String) -> [String] {
        let body = Self.stripMarker(line)
        guard body.contains(",") || body.contains(";") else { return [line] }
        // A sentence with commas is prose, not a list: only split when every part is short.
        // "a, b and c": the last part's "and" separates too.
        let parts = body.split(whereSeparator: { $0 == "," || $0 == ";" }).flatMap { part -> [String] in
            var text = part.trimmingCharacters(in: .whitespaces)
            for conjunction in ["and ", "or "] where text.lowercased().hasPrefix(conjunction) {
                text = String(text.dropFirst(conjunction.count))
            }
            return text.components(separatedBy: " and ").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard parts.allSatisfy({ $0.split(separator: " ").count <= maxWords + 1 }) else { return [line] }
        return parts
    }

    /// One item to a phrase: markers, markdown, quotes and explanations off; lower case.
    func clean(_ item: String) -> Swift.Result<String, Skip> {
        var text = Self.stripMarker(Self.stripHeading(item))
        text = text.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
            .replacingOccurrences(of: "`", with: "")
        // "Lynx - a wild cat", "Lynx: a wild cat", "Lynx (wild cat)": the part before the explanation.
        for separator in [" - ", " – ", " — ", ": ", " ("] {
            if let range = text.range(of: separator) { text = String(text[..<range.lowerBound]) }
        }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'“”‘’*_.!?:;,()[]{}"))
        guard !text.isEmpty else { return .failure(.empty) }
        let letters = text.unicodeScalars.filter { CharacterSet.letters.contains($0) }
        guard !letters.isEmpty else { return .failure(.empty) }
        // Latin letters only (accents allowed: "crème brûlée"): WordNet and the text towers are English.
        guard letters.allSatisfy({ $0.value < 0x250 }) else { return .failure(.notEnglish) }
        guard text.unicodeScalars.allSatisfy({ CharacterSet.letters.contains($0) || " -'".unicodeScalars.contains($0) }) else {
            return .failure(.prose)
        }
        let words = text.split(separator: " ")
        guard words.count <= maxWords else { return .failure(words.count > 2 * maxWords ? .prose : .tooLong) }
        return .success(words.joined(separator: " ").lowercased())
    }

    /// The strings of the first JSON array in the text (or of an object's first array value).
    private func jsonStrings(in text: String) -> [String]? {
        guard let start = text.firstIndex(where: { $0 == "[" || $0 == "{" }),
              let end = text.lastIndex(where: { $0 == "]" || $0 == "}" }), start < end,
              let data = String(text[start...end]).data(using: .utf8),
              let value = try? JSONSerialization.jsonObject(with: data) else { return nil }
        if let array = value as? [Any] { return array.compactMap { $0 as? String } }
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() { if let array = object[key] as? [Any] { return array.compactMap { $0 as? String } } }
        }
        return nil
    }

    /// "1.", "12)", "-", "*", "•", "(a)" at the start of a line.
    static func listMarker(in line: String) -> Range<String.Index>? {
        line.range(of: #"^\s*(\d{1,3}[.)]|[-*•+]|\([a-z0-9]{1,2}\))\s+"#, options: .regularExpression)
    }

    static func stripMarker(_ line: String) -> String {
        guard let range = listMarker(in: line) else { return line }
        return String(line[range.upperBound...])
    }

    static func stripHeading(_ line: String) -> String {
        guard let range = line.range(of: #"^#{1,6}\s+"#, options: .regularExpression) else { return line }
        return String(line[range.upperBound...])
    }

    static func isRule(_ line: String) -> Bool {
        line.range(of: #"^[-*_=]{3,}$"#, options: .regularExpression) != nil
    }
}
