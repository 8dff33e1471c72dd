import Foundation
import Testing
@testable import Encoders

/// The caption pool's embedding cache, around a real (tiny) CLIP text tower: a second call with the
/// same texts reads the same floats back without running the tower; other texts, another order, or a
/// damaged entry run it again.
@Suite struct CachedTextEncoderTests {
    @Test func aRepeatedCallReadsTheSameFloatsBackAndADamagedEntryIsRecomputed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("text-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = try CLIPEncoder(folder: CLIPModelTests.folder)
        let cached = CachedTextEncoder(base: base, folder: folder)
        let texts = ["a photo of a lighthouse", "a teapot made of ice", "", "ünïcödé words"]
        let fresh = try base.embed(texts: texts)
        let first = try cached.embed(texts: texts)
        let second = try cached.embed(texts: texts)
        #expect(first.map { $0.map(\.bitPattern) } == fresh.map { $0.map(\.bitPattern) })
        #expect(second.map { $0.map(\.bitPattern) } == fresh.map { $0.map(\.bitPattern) })
        #expect((cached.misses, cached.hits) == (1, 1))

        _ = try cached.embed(texts: texts.reversed())
        _ = try cached.embed(texts: ["a photo of a lighthouse", "a teapot made of ice"])
        #expect((cached.misses, cached.hits) == (3, 1))
        // "ab" + "c" and "a" + "bc" are different calls.
        #expect(cached.key(["ab", "c"]) != cached.key(["a", "bc"]))

        let entry = folder.appendingPathComponent(cached.key(texts) + ".f32")
        try Data([1, 2, 3]).write(to: entry)
        let repaired = try cached.embed(texts: texts)
        #expect(repaired.map { $0.map(\.bitPattern) } == fresh.map { $0.map(\.bitPattern) })
        #expect((cached.misses, cached.hits) == (4, 1))
        #expect((try Data(contentsOf: entry)).count == texts.count * base.identity.dimension * 4)
    }
}
