import LinearAlgebra
import Synchronization

extension KNNIndex {
    /// The self-search (every index row a query) on half the products: X·Xᵀ is symmetric, so each
    /// block of rows is multiplied only by itself and the rows after it, and every score off the
    /// diagonal block goes to both its row's and its column's top-k.
    ///
    /// The result is bit for bit `search`'s on a copy of the vectors only if the kernel gives x·y and
    /// y·x the same bits. BLIS does (each element is one fused multiply-add chain over the same k
    /// blocks, and a product's two factors commute), but that is a property of the kernel, not a
    /// contract, so it is checked on the data's own rows first; nil when it fails (or without BLIS),
    /// and the caller takes the blocked path.
    ///
    /// Each worker keeps heaps for all rows, since any of its blocks may feed any row as a column;
    /// the workers' heaps are merged at the end, and since a top-k under (similarity, lower index) does
    /// not depend on the order candidates arrive in, neither does the result.
    func selfSearch(k width: Int, excludingSelf: Bool, rowBlock: Int = queryBlock, columnBlock: Int = indexBlock) -> Neighbours? {
        guard productsCommute() else { return nil }
        let n = count, d = dimension, index = vectors
        let blocks = (n + rowBlock - 1) / rowBlock
        // Block rows are taken in order from a shared counter: the first are the longest, and a busy
        // core takes fewer of them.
        let next = Atomic<Int>(0)
        let partials = try? BatchSplit.map(BatchSplit.parts(for: blocks)) { _ in
            let heaps = TopKRows(rows: n, capacity: width)
            let scores = Matrix(rows: rowBlock, columns: columnBlock)
            while true {
                let block = next.add(1, ordering: .relaxed).oldValue
                guard block < blocks else { break }
                let rows = (block * rowBlock)..<min((block + 1) * rowBlock, n)
                var start = rows.lowerBound
                while start < n {
                    let size = min(columnBlock, n - start)
                    Matrix.gemm(transposeA: false, transposeB: true, m: rows.count, n: size, k: d,
                                a: index.pointer(row: rows.lowerBound), lda: d, b: index.pointer(row: start), ldb: d,
                                c: scores.base, ldc: columnBlock)
                    heaps.scan(scores.base, stride: columnBlock, rows: rows, columns: start..<(start + size),
                               mirrorFrom: rows.upperBound, skipSelf: excludingSelf)
                    start += size
                }
            }
            return heaps
        }
        guard let partials else { return nil }
        let result = Neighbours(queries: n, k: width)
        let output = SharedNeighbours(result)
        BatchSplit.forEachRowBlock(rows: n, blockSize: 4096) { rows in
            for row in rows {
                let candidates = partials.flatMap { $0.entries(of: row) }
                output.store(Array(candidates.sorted { TopK.better($0, than: $1) }.prefix(width)), query: row)
            }
        }
        return result
    }

    /// Whether the kernel gives x·y and y·x the same bits at this dimension: one product of the first
    /// rows with themselves, whose elements (i, j) and (j, i) sit at different places of its tiles.
    private func productsCommute() -> Bool {
        guard GEMMKernel.isBLIS else { return false }
        let m = min(count, 64)
        let gram = Matrix(rows: m, columns: m)
        Matrix.gemm(transposeA: false, transposeB: true, m: m, n: m, k: dimension, a: vectors.base, lda: dimension,
                    b: vectors.base, ldb: dimension, c: gram.base, ldc: m)
        for i in 0..<m {
            for j in (i + 1)..<m where gram[i, j].bitPattern != gram[j, i].bitPattern { return false }
        }
        return true
    }
}
