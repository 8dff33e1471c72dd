import LinearAlgebra

/// The draws of a knn-boundary cloud that are proposed: the `keep` best by `Rank`.
///
/// Scoring a draw means its k-th-NN distance to the whole ID set, a GEMM row against every ID point.
/// `byScreening` first bounds each draw's distance from above by its k-th-NN distance to a subset
/// (the anchor's class: the k-th largest similarity over a subset never exceeds the one over the whole
/// set), and then scores only the draws whose best possible rank could still reach the kept set.
/// That saves most of the work when the window holds most of a cloud, little when most of it lies
/// beyond the far limit: no bound short of the products themselves shows a draw is that far.
struct OutermostDraws {
    let density: IDDensity
    let keep: Int

    /// A draw's place in the cloud: in the density window first, then the largest distance, ties to
    /// the lower row. NPOS keeps the outermost, and "outermost yet near" is what a gap is.
    struct Rank: Comparable {
        var accepted: Bool
        var distance: Float
        var row: Int

        static func < (a: Rank, b: Rank) -> Bool {
            (a.accepted ? 1 : 0, a.distance, b.row) < (b.accepted ? 1 : 0, b.distance, a.row)
        }
    }

    func rank(distance: Float, row: Int) -> Rank {
        Rank(accepted: density.accepts(distance), distance: distance, row: row)
    }

    /// The best rank a draw can have when its distance is at most `bound`: in the window whenever the
    /// bound leaves room above the support boundary, and no farther than the bound or the far limit.
    func bestRank(bound: Float, row: Int) -> Rank {
        bound > density.lower
            ? Rank(accepted: true, distance: min(bound, density.far), row: row)
            : Rank(accepted: false, distance: bound, row: row)
    }

    /// The reference: every draw scored. The kept draws, best first.
    func byFullScoring(_ cloud: Matrix) throws(GapsError) -> [Rank] {
        let distances = try density.distances(cloud)
        return Array(distances.indices.map { rank(distance: distances[$0], row: $0) }.sorted(by: >).prefix(keep))
    }

    /// What `byFullScoring` returns, and how many draws were scored to prove it. `neighbourhood` holds
    /// some rows of the ID set, copied bit for bit.
    func byScreening(_ cloud: Matrix, neighbourhood: KNNIndex) throws(GapsError) -> (kept: [Rank], scored: Int) {
        // The bound needs k neighbours in the subset, and the subset's products must be the bits the
        // full search computes, which only BLIS promises (an element never depends on its batch).
        guard keep >= 1, cloud.rows > keep, neighbourhood.count >= density.k, GEMMKernel.isBLIS else {
            return (try byFullScoring(cloud), cloud.rows)
        }
        let bounds = try neighbourhood.search(cloud, k: density.k).kthDistances
        let best = bounds.indices.map { bestRank(bound: bounds[$0], row: $0) }
        // First guess: the bounds are the distances (no point outside the subset is among a draw's k
        // nearest, the usual case), so the kept draws are those the bounds rank best, and only draws
        // that could beat them need scoring. If the guess was wrong, the next pass scores the rest.
        let guess = bounds.indices.map { rank(distance: bounds[$0], row: $0) }.sorted(by: >)[keep - 1]
        var pending = best.filter { $0 >= guess }.map(\.row)
        var isScored = [Bool](repeating: false, count: cloud.rows)
        var kept: [Rank] = []
        var scored = 0
        while !pending.isEmpty {
            let distances = try density.distances(Self.rows(pending, of: cloud))
            for row in pending { isScored[row] = true }
            kept = Array((kept + zip(pending, distances).map { rank(distance: $1, row: $0) }).sorted(by: >).prefix(keep))
            scored += pending.count
            // An unscored draw whose best rank is below the last kept one can never displace it.
            let last = kept[kept.count - 1]
            pending = best.filter { !isScored[$0.row] && $0 > last }.map(\.row)
        }
        return (kept, scored)
    }

    private static func rows(_ rows: [Int], of matrix: Matrix) -> Matrix {
        let result = Matrix(rows: rows.count, columns: matrix.columns)
        for (target, source) in rows.enumerated() {
            result.pointer(row: target).update(from: matrix.pointer(row: source), count: matrix.columns)
        }
        return result
    }
}
