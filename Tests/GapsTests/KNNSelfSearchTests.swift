import LinearAlgebra
import OODCore
import Testing
@testable import Gaps

/// The symmetric self-search (half the products, each score fed to two rows) against the blocked
/// search of the same rows as a separate matrix, which multiplies every pair: the same neighbours,
/// similarities and tie order, bit for bit.
@Suite struct KNNSelfSearchTests {
    /// Unit rows in which every seventh row repeats an earlier one, so that exact ties cross blocks.
    static func rowsWithDuplicates(_ count: Int, _ dimension: Int, seed: UInt64) -> Matrix {
        let matrix = KNNIndexTests.unitRows(count, dimension, seed: seed)
        for row in stride(from: 7, to: count, by: 7) {
            matrix.pointer(row: row).update(from: matrix.pointer(row: (row * 13 + 5) % row), count: dimension)
        }
        return matrix
    }

    static func expectSame(_ found: Neighbours, _ reference: Neighbours) {
        #expect(found.k == reference.k)
        #expect(found.indices == reference.indices)
        #expect(found.similarities.map(\.bitPattern) == reference.similarities.map(\.bitPattern))
    }

    /// Sizes that are not multiples of the blocks, k above the row block and above the whole set,
    /// with and without the point itself.
    @Test(arguments: [
        (300, 17, 5, 16, 40, true), (523, 33, 70, 32, 100, true), (203, 8, 300, 16, 48, true),
        (1000, 64, 10, 256, 4096, false), (97, 512, 12, 8, 24, false),
    ])
    func equalsTheBlockedSearch(count: Int, dimension: Int, k: Int, rowBlock: Int, columnBlock: Int, excludingSelf: Bool) throws {
        let vectors = Self.rowsWithDuplicates(count, dimension, seed: UInt64(count))
        let index = KNNIndex(vectors: vectors)
        let reference = try index.search(KNNIndexTests.rows(vectors, 0..<count), k: k, excludingSelf: excludingSelf)
        let found = try #require(index.selfSearch(k: reference.k, excludingSelf: excludingSelf, rowBlock: rowBlock, columnBlock: columnBlock))
        Self.expectSame(found, reference)
        if excludingSelf { #expect((0..<count).allSatisfy { row in !found.row(row).contains { $0.index == row } }) }
    }

    /// Through the public entry at embedding size, past one column block (4096).
    @Test func searchOfItsOwnRowsEqualsTheBlockedSearch() throws {
        let vectors = Self.rowsWithDuplicates(4500, 512, seed: 9)
        let index = KNNIndex(vectors: vectors)
        let reference = try index.search(KNNIndexTests.rows(vectors, 0..<4500), k: 50, excludingSelf: true)
        Self.expectSame(try index.search(vectors, k: 50, excludingSelf: true), reference)
    }
}
