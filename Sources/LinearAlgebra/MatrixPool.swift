import Synchronization

/// Matrices kept from one call to the next, so a model that runs the same shapes batch after batch
/// does not map and zero tens of megabytes of fresh pages each time: for ViT-B/32 at batch 32 that
/// page-faulting cost about 6% of the forward pass (perf: clear_page under Matrix.init).
///
/// A taken matrix holds whatever its last user left in it (zeros when new), so it suits only buffers
/// that are written in full before they are read. Several callers may take at once: each gets its own
/// matrices, and the pool keeps at most `capacity` floats in all, dropping the oldest beyond that.
public final class MatrixPool: Sendable {
    private struct Entry {
        let rows: Int
        let columns: Int
        let matrix: Matrix
    }

    private let free = Mutex<[Entry]>([])
    private let capacity: Int

    /// - Parameter capacity: floats kept at most (default 64 M, 256 MB).
    public init(capacity: Int = 1 << 26) {
        self.capacity = capacity
    }

    /// A matrix of this shape, recycled when one is free, else new.
    public func take(rows: Int, columns: Int) -> Matrix {
        let recycled = free.withLock { entries -> Matrix? in
            guard let index = entries.lastIndex(where: { $0.rows == rows && $0.columns == columns }) else { return nil }
            return entries.remove(at: index).matrix
        }
        return recycled ?? Matrix(rows: rows, columns: columns)
    }

    /// Gives matrices back for later calls; the caller must not use them afterwards.
    public func recycle(_ matrices: [Matrix]) {
        free.withLock { entries in
            entries.append(contentsOf: matrices.map { Entry(rows: $0.rows, columns: $0.columns, matrix: $0) })
            var total = entries.reduce(0) { $0 + $1.matrix.count }
            while total > capacity, !entries.isEmpty {
                total -= entries.removeFirst().matrix.count
            }
        }
    }

    /// Floats held for reuse.
    public var heldCount: Int { free.withLock { $0.reduce(0) { $0 + $1.matrix.count } } }
}
