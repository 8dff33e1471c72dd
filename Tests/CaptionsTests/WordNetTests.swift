import Foundation
import Workers
import Testing
@testable import Captions
import TestVenv

/// The WordNet reader against NLTK's on the same Debian database (Tests/interop/wordnet_peer.py),
/// and against malformed files.
@Suite struct WordNetTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = WordNet.defaultFolder()
    static let words = ["cat", "cats", "geese", "sea horse", "boxes", "knives", "mice", "dog", "car", "apple",
                        "granny smith", "kitten", "sedan", "persian cat", "people", "children", "wolves", "churches"]

    static let loaded: Result<WordNet, Error> = Result { try WordNet(folder: folder) }

    /// NLTK's answers, as JSON.
    static func reference() throws -> [String: [String: Any]] {
        let run = try ChildProcess.run(
            "/usr/bin/env", ["python3", repository.appendingPathComponent("Tests/interop/wordnet_peer.py").path, folder.path] + words,
            environment: Venv.environment, stderr: .discard)
        guard run.status == 0 else { throw CocoaError(.fileReadUnknown) }
        return try JSONSerialization.jsonObject(with: run.stdout) as? [String: [String: Any]] ?? [:]
    }

    @Test func agreesWithNLTK() throws {
        try #require(FileManager.default.fileExists(atPath: Self.folder.appendingPathComponent("data.noun").path),
                     "wordnet-base is not installed (scripts/setup installs it)")
        let wordnet = try Self.loaded.get()
        let reference = try Self.reference()
        for word in Self.words {
            let expected = try #require(reference[word], "NLTK has no answer for \(word)")
            let synsets = wordnet.lookup(word)
            #expect(synsets.map(\.description) == expected["synsets"] as? [String], "\(word) synsets")
            #expect(wordnet.morphy(word).count >= 0)
            if !(expected["morphy"] as? [String] ?? []).isEmpty {
                #expect(wordnet.morphy(word) == expected["morphy"] as? [String], "\(word) morphy")
            }
            guard let first = synsets.first, let synset = wordnet[first] else { continue }
            #expect(synset.words == expected["lemmas"] as? [String], "\(word) lemmas")
            #expect(wordnet.hypernyms(first).map(\.description).sorted() == expected["hypernyms"] as? [String], "\(word) hypernyms")
            #expect(wordnet.hyponyms(first).map(\.description).sorted() == expected["hyponyms"] as? [String], "\(word) hyponyms")
            #expect(wordnet.partMeronyms(first).map(\.description).sorted() == expected["part_meronyms"] as? [String], "\(word) parts")
            #expect(wordnet.closure(first, wordnet.hyponyms).count == expected["hyponym_closure"] as? Int, "\(word) hyponym closure")
        }
        #expect(wordnet.lookup("red", in: .adjective).map(\.description) == reference["#red-adjective"]?["synsets"] as? [String])
    }

    @Test func multiwordPluralsFallBackToTheirLastWord() throws {
        try #require(FileManager.default.fileExists(atPath: Self.folder.appendingPathComponent("data.noun").path),
                     "wordnet-base is not installed (scripts/setup installs it)")
        let wordnet = try Self.loaded.get()
        #expect(wordnet.morphy("sea horses") == ["sea_horse"])
        #expect(wordnet.morphy("Persian Cats") == ["persian_cat"])
        #expect(wordnet.lookup("no such thing at all").isEmpty)
    }

    /// A tiny database in a temporary folder: one good synset per file, then `broken` appended to data.noun.
    static func database(appending broken: String? = nil) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wordnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let license = "  1 This software and database is being provided to you, the LICENSEE, by  \n"
        var noun = license + "00001740 03 n 01 entity 0 001 ~ 00001930 n 0000 | that which exists  \n"
            + "00001930 03 n 02 physical_entity 0 thing 1 001 @ 00001740 n 0000 | an entity that has physical existence  \n"
        if let broken { noun += broken + "\n" }
        let files: [String: String] = [
            "data.noun": noun, "data.verb": license, "data.adj": license, "data.adv": license,
            "index.noun": license + "entity n 1 1 ~ 1 0 00001740  \nthing n 1 1 @ 1 0 00001930  \nphysical_entity n 1 1 @ 1 0 00001930  \n",
            "index.verb": license, "index.adj": license, "index.adv": license,
            "noun.exc": "entities entity\n", "verb.exc": "", "adj.exc": "", "adv.exc": "",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    @Test func readsATinyDatabase() throws {
        let folder = try Self.database()
        defer { try? FileManager.default.removeItem(at: folder) }
        let wordnet = try WordNet(folder: folder)
        #expect(wordnet.lookup("Entities").map(\.offset) == [1740])
        let thing = try #require(wordnet.lookup("thing").first)
        #expect(wordnet[thing]?.lemmas == ["physical entity", "thing"])
        #expect(wordnet.hypernyms(thing).map(\.offset) == [1740])
        #expect(wordnet.closure(SynsetID(file: .noun, offset: 1740), wordnet.hyponyms).map(\.offset) == [1930])
    }

    @Test(arguments: [
        ("00002000 03 n 0x word 0 000 | bad count", "word count"),
        ("00002000 03 n 02 word 0 000 | too few words", "fewer words"),
        ("00002000 03 n 01 word 0 002 @ 00001740 n 0000 | too few pointers", "fewer pointers"),
        ("00002000 03 n 01 word 0 001 @ 0000174x n 0000 | bad offset", "bad pointer"),
        ("00002000 03 v 01 word 0 000 | verb in the noun file", "synset type"),
    ])
    func malformedLinesAreTypedErrorsNamingFileAndLine(line: String, reason: String) throws {
        let folder = try Self.database(appending: line)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try WordNet(folder: folder)
            Issue.record("no error for: \(line)")
        } catch {
            guard case .malformed(let file, let number, let detail) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "data.noun" && number == 4, "\(error)")
            #expect(detail.contains(reason), "\(error)")
        }
    }

    @Test func missingFilesSayWhatToInstall() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-wordnet-\(UUID().uuidString)")
        #expect(throws: WordNetError.missingFile(folder.appendingPathComponent("data.noun").path)) {
            try WordNet(folder: folder)
        }
        #expect(WordNetError.missingFile("x").description.contains("wordnet-base"))
        #expect(WordNet.defaultFolder(environment: ["WNHOME": "/opt/wn"]).path == "/opt/wn")
    }
}
