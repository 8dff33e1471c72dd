import OODCore

/// One way of proposing points just outside the ID support. `gaps` asks for candidates, keeps those
/// the density test accepts, and asks again (with a new round number) until it has enough.
public protocol GapSampler: Sendable {
    /// The `--method` name.
    var name: String { get }
    /// Every parameter with its value, for the gap records and the stage record.
    var parameters: [String: String] { get }
    /// About `count` candidates. `round` counts the calls, so each call draws fresh randomness from
    /// `seed` deterministically.
    func propose(_ count: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int) throws(GapsError) -> [GapCandidate]
    /// `propose` for a caller that reads the candidates in order and stops at the `needed`-th one the
    /// density accepts: candidates after it may be left unmade, and `unmade` counts them, so the
    /// caller still knows how many were proposed.
    func propose(_ count: Int, needed: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int)
        throws(GapsError) -> (candidates: [GapCandidate], unmade: Int)
}

extension GapSampler {
    public func propose(_ count: Int, needed: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int)
        throws(GapsError) -> (candidates: [GapCandidate], unmade: Int) {
        (try propose(count, set: set, density: density, seed: seed, round: round), 0)
    }

    /// How many of `count` points each kept class gets: an even split, the remainder to the classes
    /// after position `round` (so over the rounds every class gets its turn, not always the first).
    func perClass(_ count: Int, classes: [Int], round: Int) -> [(label: Int, count: Int)] {
        guard !classes.isEmpty else { return [] }
        let start = round % classes.count
        return classes.enumerated().map { position, label in
            let turn = (position - start + classes.count) % classes.count
            return (label, count / classes.count + (turn < count % classes.count ? 1 : 0))
        }.filter { $0.count > 0 }
    }
}
