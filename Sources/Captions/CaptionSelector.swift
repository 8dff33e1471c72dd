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
    /// The pool again, eight rows at a time with their columns interleaved (row 8b+j's value i at
    /// 8(bd+i)+j), so one gap's similarities to eight rows are one vector load per column.
    private var interleaved: [Float] = []
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
        let d = dimension
        for block in (interleaved.count / max(8 * d, 1))..<(count / 8) {
            for index in 0..<d {
                for lane in 0..<8 { interleaved.append(vectors[(block * 8 + lane) * d + index]) }
            }
        }
    }

    /// Unused captions (of those `allowed`, or all) nearer to `gap` than to every ID class prompt: when
    /// fewer than a gap needs are left, the pool should grow. `similarities`: `gapSimilarities(gap)`,
    /// when the caller has them.
    public func nearerUnused(for gap: [Float], allowed: ((Int) -> Bool)? = nil, similarities: [Float]? = nil) -> Int {
        guard gap.count == dimension else { return 0 }
        let gapSimilarity = similarities.flatMap { $0.count == count ? $0 : nil } ?? gapSimilarities(gap)
        return (0..<count).filter { !used.contains($0) && (allowed?($0) ?? true) && gapSimilarity[$0] > idSimilarity[$0] }.count
    }

    /// Every pool caption's similarity to `gap`. Eight rows at a time, each lane summing its row in
    /// index order as `dot` does: the same floats as one row at a time, without waiting on one chain
    /// of additions.
    public func gapSimilarities(_ gap: [Float]) -> [Float] {
        guard gap.count == dimension else { return [] }
        let (rows, d) = (count, dimension)
        let blocks = interleaved.count / max(8 * d, 1)
        var result = [Float](repeating: 0, count: rows)
        interleaved.withUnsafeBufferPointer { lanes in
            gap.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { out in
                    guard let base = lanes.baseAddress else { return }
                    for block in 0..<blocks {
                        var sums = SIMD8<Float>()
                        let start = UnsafeRawPointer(base + block * 8 * d)
                        for index in 0..<d {
                            sums += start.loadUnaligned(fromByteOffset: index * 32, as: SIMD8<Float>.self) * x[index]
                        }
                        for lane in 0..<8 { out[block * 8 + lane] = sums[lane] }
                    }
                }
            }
        }
        for row in (blocks * 8)..<rows { result[row] = Self.dot(vectors, row * d, gap, d) }
        return result
    }

    /// The `k` first of `indices` in the order `before`, as sorting them all and taking a prefix would
    /// give (`before` must be a strict total order), in one pass with a short sorted list.
    static func first(_ k: Int, of indices: [Int], before: (Int, Int) -> Bool) -> [Int] {
        guard k > 0 else { return [] }
        var top: [Int] = []
        top.reserveCapacity(k + 1)
        for candidate in indices {
            if top.count == k, let last = top.last, !before(candidate, last) { continue }
            var low = 0
            var high = top.count
            while low < high {
                let middle = (low + high) / 2
                if before(top[middle], candidate) { low = middle + 1 } else { high = middle }
            }
            top.insert(candidate, at: low)
            if top.count > k { top.removeLast() }
        }
        return top
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
                                alongside earlier: [Choice] = [], similarities: [Float]? = nil) -> [Choice] {
        guard gap.count == dimension else { return [] }
        let gapSimilarity = similarities.flatMap { $0.count == count ? $0 : nil } ?? gapSimilarities(gap)
        let score = (0..<count).map { gapSimilarity[$0] - lambda * idSimilarity[$0] }
        // Best unused first, ties to the lower index.
        let nearer = (0..<count).map { gapSimilarity[$0] > idSimilarity[$0] ? 1 : 0 }
        let pool = Self.first(candidatesPerGap, of: (0..<count).filter { !used.contains($0) && (allowed?($0) ?? true) && (!nearerOnly || nearer[$0] == 1) }) {
            (nearer[$0], score[$0], $1) > (nearer[$1], score[$1], $0)
        }
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
