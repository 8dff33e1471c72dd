import Foundation

/// The WordNet 3.0 database (`data.*`, `index.*`, `*.exc` as Debian's wordnet-base installs them),
/// read whole into memory: synsets with their pointers, the lemma index in sense order, and the
/// morphological exception lists, with WordNet's `morphy` to find the base form of a word.
public final class WordNet: Sendable {
    public let folder: URL
    public let synsets: [SynsetID: Synset]
    /// Lemma (lower case, `_` between words) to its synsets, most frequent sense first.
    let index: [SynsetID.File: [String: [SynsetID]]]
    /// Inflected form to base forms.
    let exceptions: [SynsetID.File: [String: [String]]]
    /// Lemma to its tagged-sense count (how often its senses occur in the SemCor corpus): 0 for words
    /// rare enough never to have been seen there.
    let familiarity: [SynsetID.File: [String: Int]]

    /// `$WNHOME/dict` (or `$WNHOME` itself) if set, else Debian's `/usr/share/wordnet`.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["WNHOME"], !home.isEmpty {
            let dict = URL(fileURLWithPath: home).appendingPathComponent("dict")
            if FileManager.default.fileExists(atPath: dict.appendingPathComponent("data.noun").path) { return dict }
            return URL(fileURLWithPath: home)
        }
        return URL(fileURLWithPath: "/usr/share/wordnet")
    }

    public init(folder: URL = WordNet.defaultFolder()) throws(WordNetError) {
        self.folder = folder
        var synsets: [SynsetID: Synset] = [:]
        var index: [SynsetID.File: [String: [SynsetID]]] = [:]
        var exceptions: [SynsetID.File: [String: [String]]] = [:]
        var familiarity: [SynsetID.File: [String: Int]] = [:]
        for file in SynsetID.File.allCases {
            try Self.readData(folder.appendingPathComponent("data.\(file.name)"), file: file, into: &synsets)
            (index[file], familiarity[file]) = try Self.readIndex(folder.appendingPathComponent("index.\(file.name)"), file: file)
            exceptions[file] = try Self.readExceptions(folder.appendingPathComponent("\(file.name).exc"))
        }
        self.synsets = synsets
        self.index = index
        self.exceptions = exceptions
        self.familiarity = familiarity
    }

    /// The lemma's tagged-sense count in the index (0 when unknown): a cheap "is this a common word".
    public func familiarity(_ lemma: String, in file: SynsetID.File = .noun) -> Int {
        familiarity[file]?[lemma.lowercased().replacingOccurrences(of: " ", with: "_")] ?? 0
    }

    public subscript(id: SynsetID) -> Synset? { synsets[id] }

    /// The synsets of `word` (any case, spaces or underscores), through its base forms, in sense order.
    public func lookup(_ word: String, in file: SynsetID.File = .noun) -> [SynsetID] {
        var seen = Set<SynsetID>()
        return morphy(word, in: file).flatMap { index[file]?[$0] ?? [] }.filter { seen.insert($0).inserted }
    }

    /// WordNet's morphy, as NLTK implements it: a word on an exception list gives itself and its listed
    /// bases; otherwise itself and what one detachment rule gives, and if none of those is a lemma,
    /// the rules again on their results. Only lemmas in the index are returned. Beyond NLTK, a
    /// multiword phrase with no match retries with its last word reduced ("sea horses").
    public func morphy(_ word: String, in file: SynsetID.File = .noun) -> [String] {
        let form = word.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: "_")
        func lemmas(_ forms: [String]) -> [String] {
            var seen = Set<String>()
            return forms.filter { index[file]?[$0] != nil && seen.insert($0).inserted }
        }
        func detach(_ forms: [String]) -> [String] {
            forms.flatMap { form in
                (Self.detachments[file] ?? []).filter { form.hasSuffix($0.0) }.map { String(form.dropLast($0.0.count)) + $0.1 }
            }
        }
        if let bases = exceptions[file]?[form] { return lemmas([form] + bases) }
        var forms = detach([form])
        var found = lemmas([form] + forms)
        while found.isEmpty && !forms.isEmpty {
            forms = detach(forms)
            found = lemmas(forms)
        }
        if found.isEmpty, form.contains("_"), let last = form.split(separator: "_").last {
            let head = form.dropLast(last.count)
            found = lemmas(morphy(String(last), in: file).map { head + $0 })
        }
        return found
    }

    static let detachments: [SynsetID.File: [(String, String)]] = [
        .noun: [("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")],
        .verb: [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
        .adjective: [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    ]

    /// Hypernyms, including instance hypernyms.
    public func hypernyms(_ id: SynsetID) -> [SynsetID] { synsets[id]?.targets(["@", "@i"]) ?? [] }
    /// Hyponyms, including instance hyponyms.
    public func hyponyms(_ id: SynsetID) -> [SynsetID] { synsets[id]?.targets(["~", "~i"]) ?? [] }
    public func partMeronyms(_ id: SynsetID) -> [SynsetID] { synsets[id]?.targets(["%p"]) ?? [] }
    /// Adjective synsets similar to a head adjective (its satellites), and the head of a satellite.
    public func similar(_ id: SynsetID) -> [SynsetID] { synsets[id]?.targets(["&"]) ?? [] }

    /// Everything reachable from `start` by `step` (not `start` itself), breadth first, each once.
    public func closure(_ start: SynsetID, _ step: (SynsetID) -> [SynsetID]) -> [SynsetID] {
        var seen: Set<SynsetID> = [start]
        var order: [SynsetID] = []
        var frontier = [start]
        while !frontier.isEmpty {
            var next: [SynsetID] = []
            for id in frontier {
                for target in step(id) where seen.insert(target).inserted {
                    order.append(target)
                    next.append(target)
                }
            }
            frontier = next
        }
        return order
    }

    // MARK: Reading
    //
    // The files are parsed as bytes with a cursor (no per-line arrays of substrings): the noun data
    // alone is 15 MB, and the whole database must load well under a second.

    private static func contents(_ url: URL) throws(WordNetError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .missingFile(url.path) }
        return Array(data)
    }

    /// Space-separated fields of one line, read left to right.
    struct Fields {
        let bytes: UnsafeBufferPointer<UInt8>
        var position: Int
        let end: Int

        /// The next field, or nil at the end of the line or at the gloss separator `|`.
        mutating func next() -> Range<Int>? {
            while position < end && bytes[position] == 0x20 { position += 1 }
            guard position < end, bytes[position] != UInt8(ascii: "|") else { return nil }
            let start = position
            while position < end && bytes[position] != 0x20 { position += 1 }
            return start..<position
        }

        /// What follows the gloss separator, trimmed.
        mutating func gloss() -> String {
            while position < end && bytes[position] != UInt8(ascii: "|") { position += 1 }
            var start = min(position + 1, end)
            var stop = end
            while start < stop && bytes[start] == 0x20 { start += 1 }
            while stop > start && (bytes[stop - 1] == 0x20 || bytes[stop - 1] == 0x0d) { stop -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
        }

        func string(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        func int(_ range: Range<Int>?, radix: Int = 10) -> Int? {
            guard let range, !range.isEmpty, range.count <= 16 else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                let digit: Int
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = Int(byte - UInt8(ascii: "a")) + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = Int(byte - UInt8(ascii: "A")) + 10
                default: return nil
                }
                value = value * radix + digit
            }
            return value
        }
    }

    /// Calls `body` for every line that is not part of the license header (those start with a space).
    private static func forEachLine(_ bytes: [UInt8], _ body: (Int, inout Fields) throws(WordNetError) -> Void) throws(WordNetError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(WordNetError) in
            var start = 0
            var number = 0
            while start < buffer.count {
                var stop = start
                while stop < buffer.count && buffer[stop] != 0x0a { stop += 1 }
                number += 1
                if stop > start && buffer[start] != 0x20 {
                    var fields = Fields(bytes: buffer, position: start, end: stop)
                    try body(number, &fields)
                }
                start = stop + 1
            }
        }
    }

    private static func readData(_ url: URL, file: SynsetID.File, into synsets: inout [SynsetID: Synset]) throws(WordNetError) {
        let name = url.lastPathComponent
        try forEachLine(try contents(url)) { (line, fields) throws(WordNetError) in
            func fail(_ reason: String) -> WordNetError { .malformed(file: name, line: line, reason: reason) }
            guard let offset = fields.int(fields.next()), let lexFile = fields.int(fields.next()),
                  let typeRange = fields.next(), typeRange.count == 1,
                  let wordCount = fields.int(fields.next(), radix: 16) else {
                throw fail("expected offset, lexicographer file, type and word count")
            }
            let type = fields.bytes[typeRange.lowerBound]
            var words: [String] = []
            words.reserveCapacity(wordCount)
            for _ in 0..<wordCount {
                guard let word = fields.next(), fields.next() != nil else { throw fail("fewer words than the count \(wordCount)") }
                words.append(fields.string(word))
            }
            guard let countRange = fields.next() else { throw fail("fewer words than the count \(wordCount)") }
            guard let pointerCount = fields.int(countRange) else {
                throw fail("pointer count '\(fields.string(countRange))' is not a number")
            }
            var pointers: [Synset.Pointer] = []
            pointers.reserveCapacity(pointerCount)
            for _ in 0..<pointerCount {
                guard let symbol = fields.next(), let target = fields.next(), let letter = fields.next(), let numbers = fields.next() else {
                    throw fail("fewer pointers than the count \(pointerCount)")
                }
                guard let offset = fields.int(target), letter.count == 1,
                      let targetFile = SynsetID.File(letter: fields.bytes[letter.lowerBound]),
                      numbers.count == 4, let words = fields.int(numbers, radix: 16) else {
                    throw fail("bad pointer '\(fields.string(symbol.lowerBound..<numbers.upperBound))'")
                }
                pointers.append(.init(symbol: fields.string(symbol), target: SynsetID(file: targetFile, offset: offset),
                                      sourceWord: words >> 8, targetWord: words & 0xff))
            }
            guard SynsetID.File(letter: type) == file else { throw fail("synset type '\(fields.string(typeRange))' in \(name)") }
            let id = SynsetID(file: file, offset: offset)
            synsets[id] = Synset(id: id, lexFile: lexFile, isSatellite: type == UInt8(ascii: "s"), words: words,
                                 pointers: pointers, gloss: fields.gloss())
        }
    }

    private static func readIndex(_ url: URL, file: SynsetID.File) throws(WordNetError) -> ([String: [SynsetID]], [String: Int]) {
        let name = url.lastPathComponent
        var index: [String: [SynsetID]] = [:]
        var tagged: [String: Int] = [:]
        try forEachLine(try contents(url)) { (line, fields) throws(WordNetError) in
            func fail(_ reason: String) -> WordNetError { .malformed(file: name, line: line, reason: reason) }
            guard let lemma = fields.next(), fields.next() != nil, let synsetCount = fields.int(fields.next()),
                  let pointerCount = fields.int(fields.next()) else {
                throw fail("expected lemma, type, synset count and pointer count")
            }
            // Pointer symbols, then sense_cnt and tagsense_cnt.
            for _ in 0..<(pointerCount + 1) where fields.next() == nil { throw fail("fewer fields than the counts say") }
            guard let tagCount = fields.int(fields.next()) else { throw fail("tagged sense count is not a number") }
            var ids: [SynsetID] = []
            ids.reserveCapacity(synsetCount)
            while let token = fields.next() {
                guard let offset = fields.int(token) else { throw fail("offset '\(fields.string(token))' is not a number") }
                ids.append(SynsetID(file: file, offset: offset))
            }
            guard ids.count == synsetCount else { throw fail("\(ids.count) synset offsets, expected \(synsetCount)") }
            let key = fields.string(lemma)
            index[key] = ids
            tagged[key] = tagCount
        }
        return (index, tagged)
    }

    private static func readExceptions(_ url: URL) throws(WordNetError) -> [String: [String]] {
        let name = url.lastPathComponent
        var exceptions: [String: [String]] = [:]
        try forEachLine(try contents(url)) { (line, fields) throws(WordNetError) in
            guard let form = fields.next(), let first = fields.next() else {
                throw .malformed(file: name, line: line, reason: "an exception needs a form and a base")
            }
            var bases = [fields.string(first)]
            while let base = fields.next() { bases.append(fields.string(base)) }
            exceptions[fields.string(form), default: []] += bases
        }
        return exceptions
    }
}
