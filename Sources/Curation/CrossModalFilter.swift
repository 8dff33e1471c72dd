import Gaps
import LinearAlgebra

/// The cross-modal filter of `oodsynth filter`: keeps a generated sample only if its image and caption
/// agree and the image lies truly outside the ID set, and it is no copy (METHODS.md, "Filtering").
///
/// It judges a batch at a time, because two tests are relative to the batch: the caption's rank
/// among the batch's captions for its image (robust to the modality gap, where absolute image-text
/// similarities are low for every pair), and `q` thresholds. The near-duplicate test compares with
/// every sample kept so far, so the filter is stateful and batches must come in stream order.
public final class CrossModalFilter {
    public struct Candidate: Sendable {
        public var key: String
        /// Unit image embedding of the generated image.
        public var image: [Float]
        /// Unit embedding of its caption.
        public var caption: [Float]

        public init(key: String, image: [Float], caption: [Float]) {
            self.key = key
            self.image = image
            self.caption = caption
        }
    }

    public let thresholds: FilterThresholds
    public let k: Int
    let index: KNNIndex
    /// Unit class prototypes (nil: a class without a prototype), indexed like the stream's classes.
    let prototypes: [[Float]?]
    /// 0th...100th percentiles of the ID images' own k-th-NN distances and max prototype similarities.
    public let noveltyTable: [Float]
    public let idSimilarityTable: [Float]
    private var keptKeys: [String] = []
    private var keptVectors: [Float] = []

    /// `idVectors`: the ID images' unit embeddings, one per row. `noveltyTable`: their k-th-NN distance
    /// percentiles when already known (the stream header has them); computed here otherwise.
    public init(idVectors: Matrix, prototypes: [[Float]?], k: Int, noveltyTable: [Float]? = nil,
                thresholds: FilterThresholds) throws(CurationError) {
        guard idVectors.rows >= 2 else { throw .invalidParameter("the ID set needs at least 2 embeddings, has \(idVectors.rows)") }
        guard k >= 1, thresholds.rank >= 1 else { throw .invalidParameter("k and rank must be at least 1") }
        guard prototypes.allSatisfy({ $0 == nil || $0?.count == idVectors.columns }) else {
            throw .dimensionMismatch("class prototypes and ID embeddings")
        }
        guard prototypes.contains(where: { $0 != nil }) else { throw .invalidParameter("no ID class has a prototype") }
        self.thresholds = thresholds
        self.k = min(k, idVectors.rows - 1)
        self.index = KNNIndex(vectors: idVectors)
        self.prototypes = prototypes
        if let noveltyTable, noveltyTable.count == 101 {
            self.noveltyTable = noveltyTable
        } else {
            do {
                self.noveltyTable = Threshold.percentileTable(try index.selfKthDistances(k: self.k))
            } catch {
                throw .invalidParameter("cannot measure the ID set's density: \(error)")
            }
        }
        let rows = idVectors.rowArrays
        self.idSimilarityTable = Threshold.percentileTable(rows.map { Self.nearestPrototype($0, prototypes).similarity })
    }

    public var dimension: Int { index.dimension }

    /// Judges one batch, in order; kept samples join the set later samples are compared with.
    public func judge(_ batch: [Candidate]) throws(CurationError) -> [FilterDecision] {
        guard !batch.isEmpty else { return [] }
        for candidate in batch where candidate.image.count != dimension || candidate.caption.count != dimension {
            throw .dimensionMismatch("\(candidate.key): image \(candidate.image.count), caption \(candidate.caption.count), ID set \(dimension)")
        }
        let images = batch.map(\.image)
        let alignments = batch.map { Self.dot($0.image, $0.caption) }
        let nearest = images.map { Self.nearestPrototype($0, prototypes) }
        let neighbours: Neighbours
        do {
            let queries = try Matrix(rows: batch.count, columns: dimension, values: images.flatMap { $0 })
            neighbours = try index.search(queries, k: k)
        } catch {
            throw .invalidParameter("kNN search failed: \(error)")
        }
        let minAlignment = try thresholds.minAlignment.value(batch: alignments, idTable: nil)
        let maxIDSimilarity = try thresholds.maxIDSimilarity.value(batch: nearest.map(\.similarity), idTable: idSimilarityTable)
        let distances = neighbours.kthDistances
        let minNovelty = try thresholds.minNovelty.value(batch: distances, idTable: noveltyTable)

        var decisions: [FilterDecision] = []
        for (i, candidate) in batch.enumerated() {
            // Rank of its own caption: 1 + captions of the batch nearer to the image than its own.
            let rank = 1 + batch.indices.filter { $0 != i && Self.dot(candidate.image, batch[$0].caption) > alignments[i] }.count
            let kept = nearestKept(candidate.image)
            var decision = FilterDecision(
                alignment: alignments[i], rank: rank, idSimilarity: nearest[i].similarity, nearestClass: nearest[i].index,
                knnDistance: distances[i], nearestID: Int(neighbours.indices[i * neighbours.k]),
                nearestIDSimilarity: neighbours.similarities[i * neighbours.k],
                nearestKept: kept.map { keptKeys[$0.index] }, nearestKeptSimilarity: kept?.similarity,
                minAlignment: minAlignment, maxIDSimilarity: maxIDSimilarity, minNovelty: minNovelty, rejection: nil)
            decision.rejection = firstFailure(decision)
            if decision.kept {
                keptKeys.append(candidate.key)
                keptVectors += candidate.image
            }
            decisions.append(decision)
        }
        return decisions
    }

    /// The tests in a fixed order, so a sample's reason does not depend on anything but its scores.
    private func firstFailure(_ d: FilterDecision) -> FilterDecision.Rejection? {
        failures(d).first
    }

    /// Every test `d` fails, in the filter's order. The first is its rejection; all of them tell which
    /// test keeps the fewest samples on its own (the one to loosen when nothing passes).
    public func failures(_ d: FilterDecision) -> [FilterDecision.Rejection] {
        var failed: [FilterDecision.Rejection] = []
        // `!(a >= b)` rather than `a < b`: a NaN score fails the test instead of passing it.
        if !(d.alignment >= d.minAlignment) { failed.append(.misaligned) }
        if d.rank > thresholds.rank { failed.append(.rank) }
        if !(d.idSimilarity <= d.maxIDSimilarity) { failed.append(.idLike) }
        if !(d.knnDistance >= d.minNovelty) { failed.append(.notNovel) }
        if d.nearestIDSimilarity >= thresholds.dedup { failed.append(.copiesID) }
        if let similarity = d.nearestKeptSimilarity, similarity >= thresholds.dedup { failed.append(.duplicate) }
        return failed
    }

    private func nearestKept(_ vector: [Float]) -> (index: Int, similarity: Float)? {
        var best: (index: Int, similarity: Float)?
        keptVectors.withUnsafeBufferPointer { kept in
            vector.withUnsafeBufferPointer { v in
                for row in 0..<keptKeys.count {
                    let base = row * v.count
                    var sum: Float = 0
                    for j in 0..<v.count { sum += kept[base + j] * v[j] }
                    if best == nil || sum > best!.similarity { best = (row, sum) }
                }
            }
        }
        return best
    }

    static func nearestPrototype(_ vector: [Float], _ prototypes: [[Float]?]) -> (index: Int, similarity: Float) {
        var best = (index: -1, similarity: -Float.infinity)
        for (index, prototype) in prototypes.enumerated() {
            guard let prototype else { continue }
            let similarity = dot(vector, prototype)
            if similarity > best.similarity { best = (index, similarity) }
        }
        return best
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        UnitVector.dot(a, b)
    }
}
