import LinearAlgebra

/// Exact k-nearest-neighbour search over unit vectors by inner product (cosine), the engine under
/// `gaps`, `filter` and `evaluate`.
///
/// Queries go in blocks against blocks of the index: one GEMM per pair of blocks, then a bounded
/// top-k per query, so memory is O(block² + queries·k) for any N, never N x N. Query blocks run on
/// separate cores, each GEMM on one thread (`BatchSplit.forEachRowBlock`). On BLIS (`GEMMKernel`) a
/// query's similarities are the same bits whatever the core count, the other queries in its batch
/// or its place among them. Ties are broken by the lower index, so the order is deterministic too.
/// The index searched for its own rows (`selfKthDistances`) does half the products (`selfSearch`).
public final class KNNIndex: @unchecked Sendable {
    /// The indexed vectors, one per row (unit length for cosine semantics; not checked here).
    public let vectors: Matrix

    /// Rows of queries per GEMM at most: a multiple of the BLAS kernel height, big enough to amortize
    /// packing.
    public static let queryBlock = 256
    /// Rows of the index per GEMM: 4096 x 512 floats (8 MB) of index, 4 MB of scores per query block.
    public static let indexBlock = 4096

    public init(vectors: Matrix) {
        self.vectors = vectors
    }

    public var count: Int { vectors.rows }
    public var dimension: Int { vectors.columns }

    /// The `k` nearest index rows of every query row, most similar first. With `excludingSelf`, the
    /// queries must be the index's own rows in order (or the first rows of it): query i never
    /// returns index row i. Fewer than `k` neighbours exist only when the index is that small.
    public func search(_ queries: Matrix, k: Int, excludingSelf: Bool = false) throws(GapsError) -> Neighbours {
        try search(queries, k: k, excludingSelf: excludingSelf, firstRow: 0)
    }

    /// `search` for queries that are the index's rows `firstRow..<firstRow + queries.rows` (with
    /// `excludingSelf`): each query skips its own row of the index.
    func search(_ queries: Matrix, k: Int, excludingSelf: Bool, firstRow: Int) throws(GapsError) -> Neighbours {
        guard queries.columns == dimension else {
            throw .dimensionMismatch("queries have \(queries.columns) dimensions, the index \(dimension)")
        }
        guard k >= 1 else { throw .invalidParameter("k must be at least 1, got \(k)") }
        let available = count - (excludingSelf ? 1 : 0)
        let width = max(0, min(k, available))
        let result = Neighbours(queries: queries.rows, k: width)
        guard width > 0, queries.rows > 0 else { return result }
        if queries === vectors, let found = selfSearch(k: width, excludingSelf: excludingSelf) { return found }
        let output = SharedNeighbours(result)
        let index = vectors
        let d = dimension
        BatchSplit.forEachRowBlock(rows: queries.rows, blockSize: Self.blockSize(queries: queries.rows)) { rows in
            let scores = Matrix(rows: rows.count, columns: Self.indexBlock)
            var heaps = (0..<rows.count).map { _ in TopK(capacity: width) }
            var start = 0
            while start < index.rows {
                let size = min(Self.indexBlock, index.rows - start)
                Matrix.gemm(transposeA: false, transposeB: true, m: rows.count, n: size, k: d,
                            a: queries.pointer(row: rows.lowerBound), lda: d, b: index.pointer(row: start), ldb: d,
                            c: scores.base, ldc: Self.indexBlock)
                for local in 0..<rows.count {
                    let query = rows.lowerBound + local
                    heaps[local].scan(scores.pointer(row: local), count: size, base: start,
                                      skipping: excludingSelf ? firstRow + query - start : -1)
                }
                start += size
            }
            for local in 0..<rows.count {
                output.store(heaps[local].sorted(), query: rows.lowerBound + local)
            }
        }
        return result
    }

    /// Rows of queries per block. Past one block, on BLIS, blocks of one size in a multiple of the core
    /// count, so the cores finish together (1290 queries on 2 cores: 6 blocks of 215, not 5 of 256 and
    /// one of 10, which leaves one core three full blocks and the other two). OpenBLAS keeps
    /// `queryBlock`: its bits depend on the batch.
    static func blockSize(queries: Int) -> Int {
        let blocks = (queries + queryBlock - 1) / queryBlock
        guard GEMMKernel.isBLIS, blocks > 1 else { return queryBlock }
        let cores = BatchSplit.parts(for: .max)
        let balanced = (blocks + cores - 1) / cores * cores
        return (queries + balanced - 1) / balanced
    }

    /// 1 - cosine to the k-th nearest other row, for every row: how far each ID point sits from the
    /// rest of the ID set (NPOS / KNN-OOD's score).
    public func selfKthDistances(k: Int) throws(GapsError) -> [Float] {
        try search(vectors, k: k, excludingSelf: true).kthDistances
    }

    /// `selfKthDistances` of the rows in `rows` only: one block of the map that a cluster spreads over
    /// tasks. A row's distance has the same bits as in the whole (each query's products do not depend
    /// on the other queries of its GEMM on BLIS), so the blocks concatenate to `selfKthDistances`.
    public func selfKthDistances(k: Int, rows: Range<Int>) throws(GapsError) -> [Float] {
        let rows = rows.clamped(to: 0..<count)
        // The whole set, as one process of a plan runs it, takes the symmetric path.
        if rows == 0..<count { return try selfKthDistances(k: k) }
        let queries = Matrix(rows: rows.count, columns: dimension)
        if !rows.isEmpty {
            queries.base.update(from: vectors.pointer(row: rows.lowerBound), count: rows.count * dimension)
        }
        return try search(queries, k: k, excludingSelf: true, firstRow: rows.lowerBound).kthDistances
    }

    // Query blocks write disjoint rows of the result, and forEachRowBlock returns after all of them.
    struct SharedNeighbours: @unchecked Sendable {
        let target: Neighbours
        init(_ target: Neighbours) { self.target = target }
        func store(_ sorted: [(similarity: Float, index: Int32)], query: Int) {
            for (rank, entry) in sorted.enumerated() {
                target.similarities[query * target.k + rank] = entry.similarity
                target.indices[query * target.k + rank] = entry.index
            }
        }
    }
}
