import LinearAlgebra
import OODCore
import Testing
@testable import Gaps

/// KNNIndex against brute force on random unit vectors, including ties and self-exclusion.
@Suite struct KNNIndexTests {
    static func unitRows(_ count: Int, _ dimension: Int, seed: UInt64) -> Matrix {
        var random = SeededGenerator(seed: seed)
        let matrix = Matrix(rows: count, columns: dimension)
        for row in 0..<count {
            let values = (0..<dimension).map { _ in Float(random.nextNormal()) }
            let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            matrix.pointer(row: row).update(from: values.map { $0 / norm }, count: dimension)
        }
        return matrix
    }

    /// All similarities, sorted best first with ties by lower index: the definition.
    static func bruteForce(_ index: Matrix, _ queries: Matrix, k: Int, excludingSelf: Bool, only: [Int]? = nil) -> [[(Int, Float)]] {
        (only ?? Array(0..<queries.rows)).map { query in
            let scores = (0..<index.rows).filter { !excludingSelf || $0 != query }.map { row -> (Int, Float) in
                var sum: Float = 0
                for column in 0..<index.columns { sum += index[row, column] * queries[query, column] }
                return (row, sum)
            }
            return Array(scores.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.prefix(k))
        }
    }

    @Test(arguments: [(300, 17, 5), (5000, 32, 10), (4100, 8, 1)])
    func equalsBruteForce(count: Int, dimension: Int, k: Int) throws {
        let vectors = Self.unitRows(count, dimension, seed: 1)
        let queries = Self.unitRows(70, dimension, seed: 2)
        let found = try KNNIndex(vectors: vectors).search(queries, k: k)
        let expected = Self.bruteForce(vectors, queries, k: k, excludingSelf: false)
        for query in 0..<queries.rows {
            let ours = found.row(query)
            // Indices agree wherever the similarities are not within rounding of each other.
            for (rank, (index, similarity)) in expected[query].enumerated() {
                #expect(abs(ours[rank].similarity - similarity) < 1e-5, "query \(query) rank \(rank)")
                if rank + 1 < k, abs(expected[query][rank + 1].1 - similarity) > 1e-5, rank == 0 || abs(expected[query][rank - 1].1 - similarity) > 1e-5 {
                    #expect(ours[rank].index == index, "query \(query) rank \(rank)")
                }
            }
        }
    }

    @Test func selfSearchNeverReturnsTheQueryAndSpansBlocks() throws {
        // 4500 rows: two index blocks, and queries in many blocks.
        let vectors = Self.unitRows(4500, 6, seed: 3)
        let found = try KNNIndex(vectors: vectors).search(vectors, k: 4, excludingSelf: true)
        let checked = Array(stride(from: 0, to: 4500, by: 97))
        let expected = Self.bruteForce(vectors, vectors, k: 4, excludingSelf: true, only: checked)
        for (query, reference) in zip(checked, expected) {
            #expect(!found.row(query).contains { $0.index == query })
            #expect(zip(found.row(query), reference).allSatisfy { abs($0.similarity - $1.1) < 1e-5 })
        }
    }

    @Test func tiesGoToTheLowerIndexAndDuplicatesAreFound() throws {
        // Rows 0, 2, 5 are the same vector: a query equal to it ranks them 0, 2, 5.
        let values: [[Float]] = [[1, 0], [0, 1], [1, 0], [-1, 0], [0.6, 0.8], [1, 0]]
        let vectors = try Matrix(rows: 6, columns: 2, values: values.flatMap { $0 })
        let query = try Matrix(rows: 1, columns: 2, values: [1, 0])
        let found = try KNNIndex(vectors: vectors).search(query, k: 4)
        #expect(found.row(0).map(\.index) == [0, 2, 5, 4])
        let selfFound = try KNNIndex(vectors: vectors).search(vectors, k: 2, excludingSelf: true)
        #expect(selfFound.row(2).map(\.index) == [0, 5])
        #expect(selfFound.row(2).map(\.similarity) == [1, 1])
    }

    @Test func smallIndexGivesWhatItHasAndBadInputThrows() throws {
        let vectors = Self.unitRows(3, 4, seed: 4)
        let found = try KNNIndex(vectors: vectors).search(vectors, k: 10, excludingSelf: true)
        #expect(found.k == 2)
        #expect(throws: GapsError.self) { try KNNIndex(vectors: vectors).search(Self.unitRows(2, 5, seed: 5), k: 1) }
        #expect(throws: GapsError.self) { try KNNIndex(vectors: vectors).search(vectors, k: 0) }
    }

    @Test func resultsDoNotDependOnCoreCountOrQueryBatch() throws {
        let vectors = Self.unitRows(3000, 24, seed: 6)
        let index = KNNIndex(vectors: vectors)
        let all = try index.search(vectors, k: 5, excludingSelf: true)
        let some = try index.search(Self.rows(vectors, 0..<300), k: 5, excludingSelf: true)
        #expect(Array(all.similarities.prefix(300 * 5)) == some.similarities)
        #expect(Array(all.indices.prefix(300 * 5)) == some.indices)
        // Nor on where a query sits in its batch: a run of queries from any offset, or one alone.
        let plain = try index.search(vectors, k: 5)
        for range in [37..<337, 2999..<3000, 1000..<1001, 250..<2750] {
            let found = try index.search(Self.rows(vectors, range), k: 5)
            #expect(Array(plain.similarities[(range.lowerBound * 5)..<(range.upperBound * 5)]) == found.similarities, "\(range)")
            #expect(Array(plain.indices[(range.lowerBound * 5)..<(range.upperBound * 5)]) == found.indices, "\(range)")
        }
    }

    /// At the sizes of real embeddings (512-d, past one index block) as well.
    @Test func resultsDoNotDependOnQueryBatchAtEmbeddingSize() throws {
        let vectors = Self.unitRows(4500, 512, seed: 7)
        let index = KNNIndex(vectors: vectors)
        let plain = try index.search(Self.rows(vectors, 0..<600), k: 10)
        for range in [0..<1, 13..<14, 100..<357, 300..<600] {
            let found = try index.search(Self.rows(vectors, range), k: 10)
            #expect(Array(plain.similarities[(range.lowerBound * 10)..<(range.upperBound * 10)]) == found.similarities, "\(range)")
        }
    }

    /// The density's map: self k-th-NN distances in blocks (any cut, past the end too) concatenate to
    /// the whole set's, bit for bit, and each point still skips itself.
    @Test func selfDistancesInBlocksAreTheWholeSetsBitForBit() throws {
        let vectors = Self.unitRows(4500, 512, seed: 8)
        let index = KNNIndex(vectors: vectors)
        let whole = try index.selfKthDistances(k: 7)
        for cuts in [[0, 4500], [0, 1, 2000, 4096, 4500], [0, 333, 4200, 9000]] {
            var joined: [Float] = []
            for (from, to) in zip(cuts, cuts.dropFirst()) { joined += try index.selfKthDistances(k: 7, rows: from..<to) }
            #expect(joined.map(\.bitPattern) == whole.map(\.bitPattern), "\(cuts)")
        }
        #expect(try index.selfKthDistances(k: 7, rows: 5000..<6000).isEmpty)
        // A block late in the set skips each point's own row (not the block-local one).
        let block = try index.selfKthDistances(k: 7, rows: 4000..<4010)
        for (offset, distance) in block.enumerated() {
            let point = 4000 + offset
            let similarities = (0..<vectors.rows).filter { $0 != point }.map { row in
                (0..<vectors.columns).reduce(Float(0)) { $0 + vectors[row, $1] * vectors[point, $1] }
            }.sorted(by: >)
            #expect(abs(distance - (1 - similarities[6])) < 1e-4, "point \(point)")
        }
    }

    static func rows(_ matrix: Matrix, _ range: Range<Int>) -> Matrix {
        let result = Matrix(rows: range.count, columns: matrix.columns)
        result.base.update(from: matrix.pointer(row: range.lowerBound), count: range.count * matrix.columns)
        return result
    }
}
