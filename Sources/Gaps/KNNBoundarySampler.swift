import LinearAlgebra
import OODCore

/// `knn-boundary` (NPOS, ICLR 2023; Dream-OOD, NeurIPS 2023). In each class, the `select` points
/// farthest from their class (largest k-th-NN distance within the class) form the boundary; around a
/// random boundary point, `candidates` draws of normalize(x + sigma·eps) are made, and the `keep` with
/// the largest k-th-NN distance to the whole ID set are proposed.
public struct KNNBoundarySampler: GapSampler {
    public var k = 300
    public var select = 200
    public var candidates = 1500
    public var keep = 2
    public var sigma: Float = 0.07

    public init() {}

    public var name: String { "knn-boundary" }

    public var parameters: [String: String] {
        ["k": String(k), "select": String(select), "candidates": String(candidates), "keep": String(keep), "sigma": String(sigma)]
    }

    /// The published k and select are for classes of hundreds of images; a class of n scales them
    /// down to n/3 and n/4 (at least 1).
    func scaled(classSize n: Int) -> (k: Int, select: Int) {
        (max(1, min(k, (n - 1) / 3)), max(1, min(select, n / 4)))
    }

    public func propose(_ count: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int) throws(GapsError) -> [GapCandidate] {
        var proposals: [GapCandidate] = []
        let d = set.dimension
        for (label, needed) in perClass(count, classes: set.classes, round: round) {
            guard let rows = set.members[label] else { continue }
            var random = SeededGenerator(seed: seed, key: "knn-boundary/\(round)/\(label)")
            let (classK, classSelect) = scaled(classSize: rows.count)
            let classVectors = Matrix(rows: rows.count, columns: d)
            for (local, row) in rows.enumerated() {
                classVectors.pointer(row: local).update(from: set.vectors.pointer(row: row), count: d)
            }
            let within = try KNNIndex(vectors: classVectors).selfKthDistances(k: classK)
            let boundary = within.indices.sorted { (within[$0], $1) > (within[$1], $0) }.prefix(classSelect).map { rows[$0] }
            let picks = (needed + keep - 1) / keep
            for _ in 0..<picks {
                let anchor = boundary[random.nextIndex(below: boundary.count)]
                let cloud = Matrix(rows: candidates, columns: d)
                let base = set.vectors.pointer(row: anchor)
                for row in 0..<candidates {
                    let point = cloud.pointer(row: row)
                    var squares: Float = 0
                    for column in 0..<d {
                        point[column] = base[column] + sigma * Float(random.nextNormal())
                        squares += point[column] * point[column]
                    }
                    let scale = squares > 0 ? 1 / squares.squareRoot() : 0
                    for column in 0..<d { point[column] *= scale }
                }
                let distances = try density.distances(cloud)
                // Largest distance first, but points the density test would refuse as too far last:
                // NPOS keeps the outermost, and "outermost yet near" is what a gap is.
                let order = distances.indices.sorted {
                    (density.accepts(distances[$0]) ? 1 : 0, distances[$0], $1) > (density.accepts(distances[$1]) ? 1 : 0, distances[$1], $0)
                }
                for row in order.prefix(keep) {
                    proposals.append(GapCandidate(
                        vector: Array(UnsafeBufferPointer(start: cloud.pointer(row: row), count: d)), method: name,
                        details: ["class-k": String(classK), "class-select": String(classSelect)], sources: [anchor]))
                }
            }
        }
        return proposals
    }
}
