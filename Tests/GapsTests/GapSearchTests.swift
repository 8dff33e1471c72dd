import Foundation
import LinearAlgebra
import OODCore
import Testing
@testable import Gaps

/// The samplers on synthetic clusters whose support is known: gap points must be farther from the ID
/// set than held-out ID points are, and nearer to it than random directions.
@Suite struct GapSearchTests {
    static let dimension = 32
    static let classes = 8
    static let perClass = 60

    /// Unit vectors around 8 random class centres; every fifth point of each class is held out.
    static func clusters(seed: UInt64 = 11) -> (train: IDSet, heldOut: Matrix) {
        var random = SeededGenerator(seed: seed)
        var builder = IDSet.Builder(classNames: (0..<classes).map { "class\($0)" })
        var heldOut: [[Float]] = []
        for label in 0..<classes {
            let centre = UnitVector.normalized((0..<dimension).map { _ in Float(random.nextNormal()) })!
            for index in 0..<perClass {
                let point = UnitVector.normalized(centre.map { $0 + 0.12 * Float(random.nextNormal()) })!
                if index % 5 == 4 { heldOut.append(point) } else { builder.add(key: "\(label)-\(index)", label: label, vector: point) }
            }
        }
        let matrix = Matrix(rows: heldOut.count, columns: dimension)
        for (row, point) in heldOut.enumerated() { matrix.pointer(row: row).update(from: point, count: dimension) }
        return (try! builder.build(), matrix)
    }

    static var samplers: [GapSampler] {
        [KNNBoundarySampler(), ClassGaussianSampler(), InterpolationSampler(), BoundaryCrossingSampler()]
    }

    @Test(arguments: ["knn-boundary", "class-gaussian", "interpolate", "boundary-crossing"])
    func gapsLieJustOutsideTheSupport(method: String) throws {
        let (set, heldOut) = Self.clusters()
        let density = try IDDensity(set: set, k: 10, seed: 3)
        let sampler = try #require(Self.samplers.first { $0.name == method })
        let outcome = try GapSearch(set: set, density: density).run([sampler], count: 40, seed: 5)
        #expect(outcome.points.count == 40, "\(outcome.shortfalls)")
        let heldOutDistances = try density.distances(heldOut).sorted()
        let random = try density.distances(KNNIndexTests.unitRows(200, Self.dimension, seed: 9)).sorted()
        for point in outcome.points {
            // Farther than held-out ID points: beyond at least 90% of them each, 95% on average.
            let beyond = Double(heldOutDistances.filter { $0 < point.knnDistance }.count) / Double(heldOutDistances.count)
            #expect(beyond >= 0.9, "\(method): a gap beyond only \(beyond) of held-out points")
            // Nearer than random directions on the sphere: below the median of 200 of them.
            #expect(point.knnDistance < random[100], "\(method): a gap at \(point.knnDistance), random directions' median \(random[100])")
            #expect(abs(point.vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        }
        let meanBeyond = outcome.points.map { point in
            Double(heldOutDistances.filter { $0 < point.knnDistance }.count) / Double(heldOutDistances.count)
        }.reduce(0, +) / Double(outcome.points.count)
        #expect(meanBeyond >= 0.95, "\(method): gaps beyond \(meanBeyond) of held-out points on average")
        // And typically much nearer: the median gap is nearer than 90% of random directions.
        let distances = outcome.points.map(\.knnDistance).sorted()
        #expect(distances[distances.count / 2] < random[20], "\(method): median gap \(distances[distances.count / 2]), random 10th percentile \(random[20])")
    }

    @Test func sameSeedSameGapsOtherSeedOtherGaps() throws {
        let (set, _) = Self.clusters()
        let density = try IDDensity(set: set, k: 10, seed: 3)
        let search = GapSearch(set: set, density: density)
        let first = try search.run(Self.samplers, count: 20, seed: 1).points.map(\.vector)
        let again = try search.run(Self.samplers, count: 20, seed: 1).points.map(\.vector)
        let other = try search.run(Self.samplers, count: 20, seed: 2).points.map(\.vector)
        #expect(first == again)
        #expect(first != other)
        #expect(first.count == 20)
    }

    @Test func badEmbeddingsAndSmallClassesAreSkippedNotFatal() throws {
        var builder = IDSet.Builder(classNames: ["a", "b", "c"])
        #expect(builder.add(key: "1", label: 0, vector: [1, 0, 0]) == nil)
        #expect(builder.add(key: "2", label: 0, vector: [0.9, 0.1, 0]) == nil)
        #expect(builder.add(key: "3", label: 1, vector: [0, 1, 0]) == nil)
        #expect(builder.add(key: "4", label: 1, vector: [0, 2, 0.1]) == nil)
        #expect(builder.add(key: "5", label: 2, vector: [0, 0, 1]) == nil)
        #expect(builder.add(key: "6", label: 1, vector: [.nan, 0, 0]) == "not-finite")
        #expect(builder.add(key: "7", label: 1, vector: [0, 0, 0]) == "zero-norm")
        #expect(builder.add(key: "8", label: 1, vector: [1, 0]) == "wrong-dimension")
        #expect(builder.add(key: "9", label: 5, vector: [1, 0, 0]) == "no-label")
        #expect(builder.add(key: "10", label: nil, vector: [1, 0, 0]) == "no-label")
        let set = try builder.build()
        #expect(set.count == 4)
        #expect(set.classes == [0, 1])
        #expect(builder.skipped["small-class"] == 1)
        #expect(builder.notes.contains { $0.contains("class c") })
        var lonely = IDSet.Builder(classNames: ["a", "b"])
        lonely.add(key: "1", label: 0, vector: [1, 0])
        lonely.add(key: "2", label: 0, vector: [0.9, 0.1])
        lonely.add(key: "3", label: 1, vector: [0, 1])
        #expect(throws: GapsError.self) { try lonely.build() }
    }

    @Test func densityPercentilesAreThoseOfTheIDDistances() throws {
        let (set, _) = Self.clusters()
        let density = try IDDensity(set: set, k: 10, seed: 3)
        let table = density.percentileTable
        #expect(table.count == 101)
        #expect(table == table.sorted())
        #expect(abs(table[95] - density.lower) < 1e-6)
        #expect(density.percentile(table[100] + 1) == 100)
        #expect(density.percentile(table[0] - 1) == 0)
        #expect(density.far > density.lower && density.far < density.randomMedian)
    }
}

/// TopK against a full sort.
@Suite struct TopKTests {
    @Test func keepsTheBestInOrderWithTiesToTheLowerIndex() {
        var random = SeededGenerator(seed: 4)
        let values = (0..<500).map { _ in Float(random.nextIndex(below: 50)) }
        for capacity in [1, 7, 50, 600] {
            var heap = TopK(capacity: capacity)
            values.withUnsafeBufferPointer { heap.scan($0.baseAddress!, count: 250, base: 0, skipping: 3) }
            values.withUnsafeBufferPointer { heap.scan($0.baseAddress! + 250, count: 250, base: 250, skipping: -1) }
            let expected = values.enumerated().filter { $0.offset != 3 }
                .sorted { ($0.element, $1.offset) > ($1.element, $0.offset) }.prefix(capacity)
            #expect(heap.sorted().map(\.index) == expected.map { Int32($0.offset) })
        }
        var nan = TopK(capacity: 2)
        nan.offer(similarity: .nan, index: 0)
        nan.offer(similarity: 0.5, index: 1)
        #expect(nan.sorted().map(\.index) == [1])
    }
}

/// The normal quantile that draws the largest of M normals, against scipy.stats.norm.isf.
@Suite struct NormalQuantileTests {
    @Test func matchesScipy() {
        let scipy: [(Double, Double)] = [(0.5, 0), (0.1, 1.2815515655446004), (0.02, 2.053748910631823),
                                         (1e-4, 3.7190164854556804), (1e-8, 5.612001244174789), (1e-12, 7.034483825301131),
                                         (0.9, -1.2815515655446004)]
        for (tail, z) in scipy {
            #expect(abs(NormalQuantile.upper(tail: tail) - z) < 1e-9, "tail \(tail)")
        }
    }

    @Test func largestOfTenHasTheKnownMean() {
        // E[max of 10 standard normals] = 1.5387527308 (order statistics tables).
        var random = SeededGenerator(seed: 8)
        let draws = (0..<100_000).map { _ in NormalQuantile.upper(tail: -expm1(log(1 - random.nextUniform()) / 10)) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        #expect(abs(mean - 1.5387527308) < 0.01, "\(mean)")
    }
}
