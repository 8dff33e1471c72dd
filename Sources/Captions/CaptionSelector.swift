/// Picks captions for each gap from an embedded pool: score = similarity to the gap minus lambda times
/// the caption's largest similarity to an ID class prompt; the best `candidatesPerGap` unused captions
/// are the gap's candidates, and `perGap` of them are chosen by maximal marginal relevance (score,
/// minus `diversity` times the similarity to captions already chosen for the gap). Captions nearer to
/// the gap than to every ID class prompt go first; others only when too few of those are left. A
/// caption is used at most once per run.
public struct CaptionSelector {
    public struct Choice: Sendable {
        public let index: Int
        public let score: Float
        public let gapSimilarity: Float
        /// Largest similarity to an ID class prompt.
        public let idSimilarity: Float
    }

    private(set) var vectors: [Float]
    let dimension: Int
    /// Per pool caption: its largest similarity to an ID class prompt.
    public private(set) var idSimilarity: [Float]
    let prompts: [[Float]]
    public var lambda: Float = 1
    public var candidatesPerGap = 200
    public var diversity: Float = 0.3
    private(set) var used: Set<Int> = []

    /// `vectors`: the pool's unit embeddings, row after row; `prompts`: the ID class prompts' embeddings.
    public init(vectors: [Float], dimension: Int, prompts: [[Float]]) {
        self.vectors = []
        self.dimension = dimension
        self.prompts = prompts
        idSimilarity = []
        append(vectors: vectors)
    }

    /// Adds captions to the pool (their unit embeddings, row after row).
    public mutating func append(vectors more: [Float]) {
        let start = vectors.count / max(dimension, 1)
        vectors += more
        let count = vectors.count / max(dimension, 1)
        idSimilarity += (start..<count).map { row in
            prompts.map { Self.dot(vectors, row * dimension, $0, dimension) }.max() ?? -1
        }
    }

    /// Unused captions (of those `allowed`, or all) nearer to `gap` than to every ID class prompt: when
    /// fewer than a gap needs are left, the pool should grow.
    public func nearerUnused(for gap: [Float], allowed: ((Int) -> Bool)? = nil) -> Int {
        guard gap.count == dimension else { return 0 }
        return (0..<count).filter {
            !used.contains($0) && (allowed?($0) ?? true) && Self.dot(vectors, $0 * dimension, gap, dimension) > idSimilarity[$0]
        }.count
    }

    public var count: Int { idSimilarity.count }

    static func dot(_ pool: [Float], _ start: Int, _ vector: [Float], _ dimension: Int) -> Float {
        var sum: Float = 0
        for index in 0..<dimension { sum += pool[start + index] * vector[index] }
        return sum
    }

    func similarity(_ a: Int, _ b: Int) -> Float {
        var sum: Float = 0
        for index in 0..<dimension { sum += vectors[a * dimension + index] * vectors[b * dimension + index] }
        return sum
    }

    /// Up to `wanted` captions for `gap`, among those `allowed` (or all); with `nearerOnly`, none that is
    /// not nearer to the gap than to every ID class prompt. `alongside`: captions already chosen for this
    /// gap (from another part of the pool), which the diversity term counts.
    public mutating func select(for gap: [Float], count wanted: Int, allowed: ((Int) -> Bool)? = nil, nearerOnly: Bool = false,
                                alongside earlier: [Choice] = []) -> [Choice] {
        guard gap.count == dimension else { return [] }
        let gapSimilarity = (0..<count).map { Self.dot(vectors, $0 * dimension, gap, dimension) }
        let score = (0..<count).map { gapSimilarity[$0] - lambda * idSimilarity[$0] }
        // Best unused first, ties to the lower index.
        let nearer = (0..<count).map { gapSimilarity[$0] > idSimilarity[$0] ? 1 : 0 }
        let pool = (0..<count).filter { !used.contains($0) && (allowed?($0) ?? true) && (!nearerOnly || nearer[$0] == 1) }
            .sorted { (nearer[$0], score[$0], $1) > (nearer[$1], score[$1], $0) }.prefix(candidatesPerGap)
        var chosen: [Int] = []
        let before = earlier.map(\.index)
        var remaining = Array(pool)
        while chosen.count < wanted, !remaining.isEmpty {
            var best = 0
            var bestValue = -Float.infinity
            for (position, candidate) in remaining.enumerated() {
                let redundancy = (before + chosen).map { similarity(candidate, $0) }.max() ?? 0
                // Any caption nearer to the gap beats one that is not.
                let value = score[candidate] - diversity * redundancy + (nearer[candidate] == 1 ? 1000 : 0)
                if value > bestValue { (best, bestValue) = (position, value) }
            }
            chosen.append(remaining.remove(at: best))
        }
        used.formUnion(chosen)
        return chosen.map { Choice(index: $0, score: score[$0], gapSimilarity: gapSimilarity[$0], idSimilarity: idSimilarity[$0]) }
    }
}
