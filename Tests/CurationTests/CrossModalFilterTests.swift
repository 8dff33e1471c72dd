import Foundation
import LinearAlgebra
import Testing
@testable import Curation

/// The filter on hand-made unit vectors in 4-d, where each test's outcome can be worked out by hand.
@Suite struct CrossModalFilterTests {
    static func unit(_ values: [Float]) -> [Float] {
        let norm = values.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return values.map { $0 / norm }
    }

    /// Two ID classes around e1 and e2, three images each, slightly spread in e3.
    static func filter(_ thresholds: FilterThresholds) throws -> CrossModalFilter {
        let rows: [[Float]] = [
            unit([1, 0, 0.1, 0]), unit([1, 0, -0.1, 0]), unit([1, 0, 0, 0.1]),
            unit([0, 1, 0.1, 0]), unit([0, 1, -0.1, 0]), unit([0, 1, 0, 0.1]),
        ]
        let vectors = try Matrix(rows: rows.count, columns: 4, values: rows.flatMap { $0 })
        return try CrossModalFilter(idVectors: vectors, prototypes: [[1, 0, 0, 0], [0, 1, 0, 0]], k: 2, thresholds: thresholds)
    }

    static var lenient: FilterThresholds {
        var t = FilterThresholds()
        t.minAlignment = .absolute(-1)
        t.rank = 10
        t.maxIDSimilarity = .absolute(1)
        t.minNovelty = .absolute(0)
        t.dedup = 0.95
        return t
    }

    @Test func eachTestRejectsForItsOwnReason() throws {
        let outside = Self.unit([0.2, 0.2, 0, 1])      // far from both classes, along e4
        let other = Self.unit([0.2, 0.2, 1, 0])        // far too, along e3

        var t = Self.lenient
        t.minAlignment = .absolute(0.5)
        let misaligned = try Self.filter(t).judge([.init(key: "a", image: outside, caption: other)])
        #expect(misaligned[0].rejection == .misaligned)

        t = Self.lenient
        t.rank = 1
        // Image 0's caption fits image 1 better than image 1's own.
        let ranked = try Self.filter(t).judge([
            .init(key: "a", image: outside, caption: outside),
            .init(key: "b", image: outside, caption: other),
        ])
        #expect(ranked.map(\.rank) == [1, 2])
        #expect(ranked.map(\.rejection) == [nil, .rank])

        t = Self.lenient
        t.maxIDSimilarity = .idPercentile(0)          // below every ID image's own similarity
        let idLike = try Self.filter(t).judge([.init(key: "a", image: Self.unit([1, 0.05, 0.02, 0]), caption: Self.unit([1, 0.05, 0.02, 0]))])
        #expect(idLike[0].rejection == .idLike)
        #expect(idLike[0].nearestClass == 0)

        t = Self.lenient
        t.minNovelty = .idPercentile(95)
        let between = Self.unit([1, 0, 0.05, 0.05])    // inside class 0's spread
        let judged = try Self.filter(t).judge([
            .init(key: "in", image: between, caption: between),
            .init(key: "out", image: outside, caption: outside),
        ])
        #expect(judged[0].rejection == .notNovel && judged[1].rejection == nil, "\(judged)")

        let copy = Self.unit([1, 0, 0.1, 0])
        let copies = try Self.filter(Self.lenient).judge([.init(key: "c", image: copy, caption: copy)])
        #expect(copies[0].rejection == .copiesID && copies[0].nearestID == 0)
    }

    @Test func laterNearDuplicatesOfKeptSamplesGo() throws {
        let filter = try Self.filter(Self.lenient)
        let a = Self.unit([0.2, 0.2, 0, 1]), b = Self.unit([0.2, 0.25, 0.01, 1]), c = Self.unit([0.2, 0.2, 1, 0])
        let first = try filter.judge([.init(key: "a", image: a, caption: a)])
        // A duplicate in a later batch, one within the same batch, and a different image.
        let second = try filter.judge([.init(key: "b", image: b, caption: b), .init(key: "a2", image: a, caption: a),
                                       .init(key: "c", image: c, caption: c)])
        #expect(first[0].kept)
        #expect(second.map(\.rejection) == [.duplicate, .duplicate, nil])
        #expect(second[0].nearestKept == "a")
        // A rejected sample is no reference for later duplicates: "c" was kept, so "c" again is a duplicate of it.
        let third = try filter.judge([.init(key: "c2", image: c, caption: c)])
        #expect(third[0].nearestKept == "c" && third[0].rejection == .duplicate)
    }

    @Test func batchQuantilesAreTheBatchsOwn() throws {
        var t = Self.lenient
        t.minAlignment = .batchQuantile(0.5)
        let image = Self.unit([0.2, 0.2, 0, 1])
        let captions = [Self.unit([0.2, 0.2, 0, 1]), Self.unit([0.2, 0.2, 1, 1]), Self.unit([0.2, 0.2, 1, 0])]
        let decisions = try Self.filter(t).judge(captions.enumerated().map { index, caption in
            .init(key: "k\(index)", image: Self.unit(image.enumerated().map { $0.element + Float($0.offset == 2 ? index : 0) * 0.3 }), caption: caption)
        })
        let median = decisions.map(\.alignment).sorted()[1]
        #expect(decisions.allSatisfy { $0.minAlignment == median })
        #expect(decisions.filter { $0.rejection == .misaligned }.count == 1)
    }

    @Test func badInputIsAnError() throws {
        let filter = try Self.filter(Self.lenient)
        #expect(throws: CurationError.self) { try filter.judge([.init(key: "x", image: [1, 0, 0], caption: [1, 0, 0])]) }
        let one = try Matrix(rows: 1, columns: 2, values: [1, 0])
        #expect(throws: CurationError.self) {
            try CrossModalFilter(idVectors: one, prototypes: [[1, 0]], k: 1, thresholds: FilterThresholds())
        }
    }
}
