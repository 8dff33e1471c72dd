import Foundation
import Testing
@testable import Captions

/// The selector's fast paths give what the plain ones gave, to the bit: a gap's similarities to the
/// pool eight rows at a time against one dot product per row, and the best k in one pass against a
/// full sort's prefix (ties included).
@Suite struct CaptionSelectorFastPathTests {
    static func pool(rows: Int, dimension: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<(rows * dimension)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 997
        }
    }

    @Test(arguments: [(1, 5), (7, 3), (8, 384), (29, 17), (203, 64)])
    func gapSimilaritiesMatchOneDotProductPerRow(rows: Int, dimension: Int) {
        let vectors = Self.pool(rows: rows, dimension: dimension, seed: UInt64(rows * 31 + dimension))
        let gap = Self.pool(rows: 1, dimension: dimension, seed: 99)
        var selector = CaptionSelector(vectors: Array(vectors.prefix((rows / 2) * dimension)), dimension: dimension, prompts: [gap])
        selector.append(vectors: Array(vectors.dropFirst((rows / 2) * dimension)))
        let fast = selector.gapSimilarities(gap)
        let plain = (0..<rows).map { CaptionSelector.dot(vectors, $0 * dimension, gap, dimension) }
        #expect(fast.map(\.bitPattern) == plain.map(\.bitPattern))
    }

    @Test func theBestKInOnePassAreASortsPrefix() {
        // Few distinct scores, so ties are common and only the index breaks them.
        let scores = Self.pool(rows: 500, dimension: 1, seed: 7).map { ($0 * 4).rounded() }
        let nearer = scores.indices.map { $0 % 3 == 0 ? 1 : 0 }
        let before = { (a: Int, b: Int) in (nearer[a], scores[a], b) > (nearer[b], scores[b], a) }
        let indices = Array(scores.indices).filter { $0 % 5 != 0 }
        for k in [0, 1, 7, 200, 399, 400, 1000] {
            #expect(CaptionSelector.first(k, of: indices, before: before) == Array(indices.sorted(by: before).prefix(k)), "k=\(k)")
        }
    }
}
