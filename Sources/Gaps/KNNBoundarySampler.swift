import LinearAlgebra
import OODCore

/// `knn-boundary` (NPOS, ICLR 2023; Dream-OOD, NeurIPS 2023). In each class, the `select` points
/// farthest from their class (largest k-th-NN distance within the class) form the boundary; around a
/// random boundary point, `candidates` draws of normalize(x + sigma·eps) are made, and the `keep` with
/// the largest k-th-NN distance to the whole ID set are proposed. Only the draws that could be among
/// them are scored against the whole set (`OutermostDraws`), and only the clouds the search reads.
public struct KNNBoundarySampler: GapSampler {
    public var k = 300
    public var select = 200
    public var candidates = 1500
    public var keep = 2
    public var sigma: Float = 0.07
    /// Whether a cloud's draws are screened by their distance to the anchor's class before the full
    /// scoring (`OutermostDraws`): the same draws are kept either way; false scores every draw.
    var screening = true

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
        try propose(count, needed: .max, set: set, density: density, seed: seed, round: round).candidates
    }

    /// Clouds after the one that brings the `needed`-th accepted draw are not drawn: the search reads no
    /// further. This counts on the search finding the distances found here, bit for bit, which only
    /// BLIS promises.
    public func propose(_ count: Int, needed: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int)
        throws(GapsError) -> (candidates: [GapCandidate], unmade: Int) {
        let needed = GEMMKernel.isBLIS ? needed : .max
        let perCloud = min(keep, candidates)
        var proposals: [GapCandidate] = []
        var accepted = 0
        var unmade = 0
        let d = set.dimension
        for (label, share) in perClass(count, classes: set.classes, round: round) {
            guard let rows = set.members[label] else { continue }
            let picks = (share + keep - 1) / keep
            guard accepted < needed else {
                unmade += picks * perCloud
                continue
            }
            var random = SeededGenerator(seed: seed, key: "knn-boundary/\(round)/\(label)")
            let (classK, classSelect) = scaled(classSize: rows.count)
            let classVectors = Matrix(rows: rows.count, columns: d)
            for (local, row) in rows.enumerated() {
                classVectors.pointer(row: local).update(from: set.vectors.pointer(row: row), count: d)
            }
            let classIndex = KNNIndex(vectors: classVectors)
            let within = try classIndex.selfKthDistances(k: classK)
            let boundary = within.indices.sorted { (within[$0], $1) > (within[$1], $0) }.prefix(classSelect).map { rows[$0] }
            let draws = OutermostDraws(density: density, keep: keep)
            for _ in 0..<picks {
                guard accepted < needed else {
                    unmade += perCloud
                    continue
                }
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
                let kept = screening
                    ? try draws.byScreening(cloud, neighbourhood: classIndex).kept
                    : try draws.byFullScoring(cloud)
                accepted += kept.filter(\.accepted).count
                for draw in kept {
                    proposals.append(GapCandidate(
                        vector: Array(UnsafeBufferPointer(start: cloud.pointer(row: draw.row), count: d)), method: name,
                        details: ["class-k": String(classK), "class-select": String(classSelect)], sources: [anchor]))
                }
            }
        }
        return (proposals, unmade)
    }
}
