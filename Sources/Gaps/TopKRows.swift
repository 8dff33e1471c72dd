/// The running top-k of every row of a self-search, fed from both sides of each symmetric score: a
/// score of rows a and b is a candidate of a's heap and of b's.
///
/// Beside each heap sits the similarity a candidate must reach to be worth offering (-inf until the
/// heap is full, then its weakest kept similarity), all in one flat buffer so that a scan compares a
/// row of scores with eight rows' thresholds at once. A score equal to a threshold is offered too and
/// `TopK` settles the tie by the lower index, so the kept set is the exact top-k in whatever order the
/// candidates arrive (unlike `TopK.scan`, which relies on increasing indices).
final class TopKRows {
    // Raw buffers, not arrays in class properties: those would cost a dynamic exclusivity check
    // on every offer.
    private let heaps: UnsafeMutablePointer<TopK>
    private let thresholds: UnsafeMutablePointer<Float>
    let rows: Int

    init(rows: Int, capacity: Int) {
        self.rows = rows
        heaps = .allocate(capacity: max(rows, 1))
        for row in 0..<rows { (heaps + row).initialize(to: TopK(capacity: capacity)) }
        thresholds = .allocate(capacity: max(rows, 1))
        thresholds.initialize(repeating: capacity > 0 ? -.infinity : .infinity, count: max(rows, 1))
    }

    deinit {
        heaps.deinitialize(count: rows)
        heaps.deallocate()
        thresholds.deallocate()
    }

    func entries(of row: Int) -> [(similarity: Float, index: Int32)] { heaps[row].entries }

    @inline(__always)
    private func offer(row: Int, similarity: Float, index: Int) {
        heaps[row].offer(similarity: similarity, index: Int32(index))
        if heaps[row].entries.count == heaps[row].capacity { thresholds[row] = heaps[row].entries[0].similarity }
    }

    @inline(__always)
    private func offerBoth(row: Int, column: Int, similarity: Float) {
        // NaN fails both comparisons, as TopK would refuse it.
        if similarity >= thresholds[row] { offer(row: row, similarity: similarity, index: column) }
        if similarity >= thresholds[column] { offer(row: column, similarity: similarity, index: row) }
    }

    /// Offers `scores` (row r, column c at `scores[(r - rows.lowerBound) * stride + c - columns.lowerBound]`)
    /// to the heaps of their rows, and those of columns at or past `mirrorFrom` to the heaps of their
    /// columns as well. Columns before it must lie in the diagonal block, whose every pair the rows
    /// already see in both orders; there `skipSelf` leaves out each row's own column.
    func scan(_ scores: UnsafePointer<Float>, stride: Int, rows: Range<Int>, columns: Range<Int>, mirrorFrom: Int, skipSelf: Bool) {
        let plainEnd = min(max(mirrorFrom, columns.lowerBound), columns.upperBound)
        for row in rows {
            let line = scores + (row - rows.lowerBound) * stride - columns.lowerBound
            var column = columns.lowerBound
            while column < plainEnd {
                if line[column] >= thresholds[row], !(skipSelf && column == row) {
                    offer(row: row, similarity: line[column], index: column)
                }
                column += 1
            }
            // Almost every score beats neither its row's nor its column's k-th best: eight at a time
            // are dismissed with two vector comparisons before any heap is touched.
            var rowThreshold = SIMD8<Float>(repeating: thresholds[row])
            while column + 8 <= columns.upperBound {
                let values = UnsafeRawPointer(line + column).loadUnaligned(as: SIMD8<Float>.self)
                let columnThresholds = UnsafeRawPointer(thresholds + column).loadUnaligned(as: SIMD8<Float>.self)
                if any((values .>= rowThreshold) .| (values .>= columnThresholds)) {
                    for lane in 0..<8 { offerBoth(row: row, column: column + lane, similarity: values[lane]) }
                    rowThreshold = SIMD8(repeating: thresholds[row])
                }
                column += 8
            }
            while column < columns.upperBound {
                offerBoth(row: row, column: column, similarity: line[column])
                column += 1
            }
        }
    }
}
