import LinearAlgebra
import OODCore
import Testing
@testable import Gaps

/// The screened selection of a knn-boundary cloud keeps exactly the draws that scoring every draw
/// keeps, in the same order, on clouds built to contain what could trip it: draws that another class
/// pulls in (the bound is then not the distance), draws the bound puts beyond the far limit that are
/// in fact inside the window, clouds cut by the window, and tied draws.
@Suite struct OutermostDrawsTests {
    struct Shape: CustomStringConvertible, Sendable {
        var dimension: Int
        var classes: Int
        var perClass: Int
        /// Spread of a class around its centre, per dimension.
        var spread: Float
        var sigma: Float
        var k: Int
        var keep: Int
        var draws: Int
        var description: String { "\(classes)x\(perClass)x\(dimension)d spread \(spread) sigma \(sigma) k \(k) keep \(keep)" }
    }

    static let shapes = [
        // Overlapping classes in few dimensions: other classes reach into a draw's k nearest.
        Shape(dimension: 6, classes: 6, perClass: 80, spread: 0.5, sigma: 0.3, k: 10, keep: 2, draws: 200),
        Shape(dimension: 12, classes: 10, perClass: 60, spread: 0.3, sigma: 0.15, k: 20, keep: 3, draws: 200),
        // Separated classes at the benchmark's proportions (no intruders: the bound is the distance).
        Shape(dimension: 64, classes: 8, perClass: 120, spread: 0.05, sigma: 0.07, k: 12, keep: 2, draws: 300),
        Shape(dimension: 64, classes: 8, perClass: 120, spread: 0.05, sigma: 0.03, k: 12, keep: 5, draws: 300),
        // Embedding-sized vectors, and a keep close to the size of the cloud.
        Shape(dimension: 520, classes: 3, perClass: 40, spread: 0.06, sigma: 0.05, k: 8, keep: 30, draws: 40),
    ]

    struct Coverage {
        var clouds = 0, draws = 0, scored = 0
        /// Draws whose bound exceeds their distance (ID points of another class among their k nearest).
        var pulledIn = 0
        /// Draws the bound puts at or beyond the far limit that lie inside the density window.
        var hiddenInWindow = 0
        /// Clouds with draws on both sides of the window's edges.
        var cut = 0
    }

    @Test func screeningKeepsWhatFullScoringKeeps() throws {
        try GEMMKernel.requireBLIS()
        var total = Coverage()
        for (number, shape) in Self.shapes.enumerated() {
            let coverage = try compare(shape, seed: UInt64(number) + 1)
            #expect(coverage.clouds > 0, "\(shape)")
            total.clouds += coverage.clouds
            total.draws += coverage.draws
            total.scored += coverage.scored
            total.pulledIn += coverage.pulledIn
            total.hiddenInWindow += coverage.hiddenInWindow
            total.cut += coverage.cut
        }
        // The shapes must exercise what could go wrong, and the screen must save work.
        #expect(total.pulledIn > 0)
        #expect(total.hiddenInWindow > 0)
        #expect(total.cut > 0)
        #expect(total.scored < total.draws * 2 / 3, "\(total.scored) of \(total.draws) draws scored")
    }

    /// Clouds around two ID points of each class, under windows that take them all and windows that
    /// cut them (as on the benchmark, where most draws lie beyond the far limit).
    func compare(_ shape: Shape, seed: UInt64) throws -> Coverage {
        let set = Self.clusters(shape, seed: seed)
        let open = try IDDensity(set: set, k: shape.k, lowerQuantile: 0.5, far: 2, seed: seed)
        var random = SeededGenerator(seed: seed, key: "clouds")
        var clouds: [(cloud: Matrix, neighbourhood: KNNIndex, distances: [Float], bounds: [Float])] = []
        for label in set.classes {
            let neighbourhood = KNNIndex(vectors: Self.rows(set.members[label]!, of: set.vectors))
            for _ in 0..<2 {
                let anchor = set.members[label]![random.nextIndex(below: shape.perClass)]
                let cloud = Self.cloud(around: anchor, in: set, shape, random: &random)
                clouds.append((cloud, neighbourhood, try open.distances(cloud), try neighbourhood.search(cloud, k: open.k).kthDistances))
            }
        }
        // Far limits among the draws' distances and among their bounds: the bound then often says
        // "too far" of a draw that is in the window.
        let values = clouds.flatMap { $0.distances + $0.bounds }.filter { $0 > open.lower }.sorted()
        var densities = [open]
        for quantile in [0.1, 0.3, 0.6] where !values.isEmpty {
            densities.append(try IDDensity(set: set, k: shape.k, lowerQuantile: 0.5, far: values[Int(quantile * Double(values.count))].nextUp, seed: seed))
        }
        var coverage = Coverage()
        for density in densities {
            let draws = OutermostDraws(density: density, keep: shape.keep)
            for (cloud, neighbourhood, distances, bounds) in clouds {
                let expected = try draws.byFullScoring(cloud)
                let (kept, scored) = try draws.byScreening(cloud, neighbourhood: neighbourhood)
                #expect(kept == expected, "\(shape), far \(density.far)")
                #expect(expected.count == shape.keep)
                #expect(zip(bounds, distances).allSatisfy { $0 >= $1 }, "a bound below its distance")
                coverage.clouds += 1
                coverage.draws += cloud.rows
                coverage.scored += scored
                coverage.pulledIn += zip(bounds, distances).filter { $0 > $1 }.count
                coverage.hiddenInWindow += zip(bounds, distances).filter { $0 >= density.far && density.accepts($1) }.count
                let accepted = distances.filter(density.accepts).count
                if accepted > 0 && accepted < distances.count { coverage.cut += 1 }
            }
        }
        return coverage
    }

    /// Ties: with every draw twice, the lower row of each pair is kept, the same way in both paths.
    @Test func tiedDrawsGoToTheLowerRowInBothPaths() throws {
        try GEMMKernel.requireBLIS()
        let shape = Self.shapes[2]
        let set = Self.clusters(shape, seed: 9)
        let density = try IDDensity(set: set, k: shape.k, seed: 9)
        var random = SeededGenerator(seed: 9, key: "ties")
        let single = Self.cloud(around: set.members[0]![0], in: set, shape, random: &random)
        let doubled = Matrix(rows: 2 * single.rows, columns: single.columns)
        for row in 0..<doubled.rows {
            doubled.pointer(row: row).update(from: single.pointer(row: row / 2), count: single.columns)
        }
        let draws = OutermostDraws(density: density, keep: 4)
        let neighbourhood = KNNIndex(vectors: Self.rows(set.members[0]!, of: set.vectors))
        let expected = try draws.byFullScoring(doubled)
        #expect(try draws.byScreening(doubled, neighbourhood: neighbourhood).kept == expected)
        #expect(expected[0].row % 2 == 0 && expected[1].row == expected[0].row + 1)
    }

    /// The whole sampler, screened and not: the same proposals from the same anchors.
    @Test(arguments: [0.03, 0.07, 0.2] as [Float])
    func samplerProposesTheSameWithAndWithoutTheScreen(sigma: Float) throws {
        try GEMMKernel.requireBLIS()
        let (set, _) = GapSearchTests.clusters()
        let density = try IDDensity(set: set, k: 10, seed: 3)
        var screened = KNNBoundarySampler()
        screened.sigma = sigma
        screened.candidates = 300
        var full = screened
        full.screening = false
        for round in 0..<2 {
            let expected = try full.propose(40, set: set, density: density, seed: 5, round: round)
            let found = try screened.propose(40, set: set, density: density, seed: 5, round: round)
            #expect(found.map(\.vector) == expected.map(\.vector), "sigma \(sigma) round \(round)")
            #expect(found.map(\.sources) == expected.map(\.sources))
            #expect(found.map(\.details) == expected.map(\.details))
        }
    }

    /// Told how many accepted draws are needed, the sampler draws no cloud after the one that brings
    /// them and counts what it left unmade: what it makes is the start of what it would make.
    @Test func samplerStopsAfterTheNeededAcceptedDraws() throws {
        try GEMMKernel.requireBLIS()
        let (set, _) = GapSearchTests.clusters()
        let density = try IDDensity(set: set, k: 10, seed: 3)
        var sampler = KNNBoundarySampler()
        sampler.candidates = 300
        let all = try sampler.propose(40, set: set, density: density, seed: 5, round: 1)
        let matrix = Matrix(rows: all.count, columns: set.dimension)
        for (row, candidate) in all.enumerated() { matrix.pointer(row: row).update(from: candidate.vector, count: set.dimension) }
        let accepted = try density.distances(matrix).map(density.accepts)
        for needed in [1, 2, 7, 25, 1000] {
            let (made, unmade) = try sampler.propose(40, needed: needed, set: set, density: density, seed: 5, round: 1)
            #expect(made.count + unmade == all.count, "needed \(needed)")
            #expect(made.map(\.vector) == all.prefix(made.count).map(\.vector), "needed \(needed)")
            #expect(made.count % sampler.keep == 0)
            let enough = accepted.prefix(made.count).filter { $0 }.count >= needed
            #expect(unmade == 0 || enough, "needed \(needed)")
            #expect(needed > 7 || unmade > 0, "needed \(needed)")
            // The last cloud made was needed.
            #expect(made.isEmpty || accepted.prefix(made.count - sampler.keep).filter { $0 }.count < needed, "needed \(needed)")
        }
    }

    /// The search gives the same gaps, counts and rejections with a sampler that stops early as with
    /// one that makes every candidate.
    @Test func searchFindsTheSameWhenTheSamplerStopsEarly() throws {
        try GEMMKernel.requireBLIS()
        let (set, _) = GapSearchTests.clusters()
        let density = try IDDensity(set: set, k: 10, seed: 3)
        var sampler = KNNBoundarySampler()
        sampler.candidates = 300
        for count in [10, 41] {
            let lazy = try GapSearch(set: set, density: density).run([sampler], count: count, seed: 2)
            let eager = try GapSearch(set: set, density: density).run([Eager(sampler: sampler)], count: count, seed: 2)
            #expect(lazy.points.map(\.vector) == eager.points.map(\.vector))
            #expect(lazy.points.map(\.knnDistance) == eager.points.map(\.knnDistance))
            #expect(lazy.proposed == eager.proposed && lazy.rejected == eager.rejected)
            #expect(lazy.points.count == count)
        }
    }

    /// A sampler that only has `propose(_:set:density:seed:round:)`, so it makes every candidate.
    struct Eager: GapSampler {
        let sampler: KNNBoundarySampler
        var name: String { sampler.name }
        var parameters: [String: String] { sampler.parameters }
        func propose(_ count: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int) throws(GapsError) -> [GapCandidate] {
            try sampler.propose(count, set: set, density: density, seed: seed, round: round)
        }
    }

    static func clusters(_ shape: Shape, seed: UInt64) -> IDSet {
        var random = SeededGenerator(seed: seed)
        var builder = IDSet.Builder(classNames: (0..<shape.classes).map { "class\($0)" })
        for label in 0..<shape.classes {
            let centre = (0..<shape.dimension).map { _ in Float(random.nextNormal()) }
            let unit = UnitVector.normalized(centre)!
            for index in 0..<shape.perClass {
                builder.add(key: "\(label)-\(index)", label: label,
                            vector: unit.map { $0 + shape.spread * Float(random.nextNormal()) })
            }
        }
        return try! builder.build()
    }

    /// normalize(anchor + sigma eps), as the sampler draws.
    static func cloud(around anchor: Int, in set: IDSet, _ shape: Shape, random: inout SeededGenerator) -> Matrix {
        let cloud = Matrix(rows: shape.draws, columns: set.dimension)
        let base = set.vectors.pointer(row: anchor)
        for row in 0..<shape.draws {
            let values = (0..<set.dimension).map { base[$0] + shape.sigma * Float(random.nextNormal()) }
            cloud.pointer(row: row).update(from: UnitVector.normalized(values)!, count: set.dimension)
        }
        return cloud
    }

    static func rows(_ rows: [Int], of matrix: Matrix) -> Matrix {
        let result = Matrix(rows: rows.count, columns: matrix.columns)
        for (target, source) in rows.enumerated() {
            result.pointer(row: target).update(from: matrix.pointer(row: source), count: matrix.columns)
        }
        return result
    }
}
