import Foundation
import Testing
import OODCore

@Suite struct SHA256Tests {
    /// FIPS 180-2's test vectors, as sha256sum prints them.
    @Test func matchesTheStandardVectors() {
        #expect(SHA256.hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(SHA256.hash(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var hasher = SHA256()
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(thousand) }
        #expect(SHA256.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func piecesGiveTheDigestOfTheWhole() {
        var generator = SeededGenerator(seed: 7)
        let bytes = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var hasher = SHA256()
        var offset = 0
        for size in [0, 1, 63, 64, 65, 4096, 100_000] where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            hasher.update(bytes[offset..<end])
            offset = end
        }
        hasher.update(bytes[offset...])
        #expect(hasher.finalize() == SHA256.hash(bytes))
        #expect(hasher.finalize().count == SHA256.byteCount)
    }

    @Test func aCopyGoesOnAlone() {
        var first = SHA256()
        first.update(Array("ab".utf8))
        var second = first
        second.update(Array("c".utf8))
        #expect(first.finalize() == SHA256.hash(Array("ab".utf8)))
        #expect(second.finalize() == SHA256.hash(Array("abc".utf8)))
        // finalize leaves the hasher as it was.
        first.update(Array("c".utf8))
        #expect(first.finalize() == second.finalize())
    }
}
