/// The `capacity` largest (similarity, -index) pairs seen so far, in a binary min-heap whose root is the
/// weakest kept entry: a new candidate costs one comparison unless it beats the root. An entry is
/// "better" with a higher similarity, or an equal one and a lower index, so the result never depends on
/// the order candidates arrive in.
struct TopK {
    private(set) var entries: [(similarity: Float, index: Int32)] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        entries.reserveCapacity(capacity)
    }

    @inline(__always)
    static func better(_ a: (similarity: Float, index: Int32), than b: (similarity: Float, index: Int32)) -> Bool {
        a.similarity > b.similarity || (a.similarity == b.similarity && a.index < b.index)
    }

    @inline(__always)
    mutating func offer(similarity: Float, index: Int32) {
        // NaN never enters: it compares false with everything and would poison the heap order.
        guard !similarity.isNaN else { return }
        let candidate = (similarity: similarity, index: index)
        if entries.count < capacity {
            entries.append(candidate)
            siftUp(entries.count - 1)
        } else if capacity > 0, Self.better(candidate, than: entries[0]) {
            entries[0] = candidate
            siftDown(0)
        }
    }

    /// Offers `row[0..<count]` as indices `base + column`, skipping column `skipped`. Candidates
    /// arrive in increasing index order, so a tie with the weakest kept entry never wins and the
    /// loop compares scores with one threshold until something beats it.
    mutating func scan(_ row: UnsafePointer<Float>, count: Int, base: Int, skipping skipped: Int) {
        var column = 0
        while entries.count < capacity && column < count {
            if column != skipped { offer(similarity: row[column], index: Int32(base + column)) }
            column += 1
        }
        guard capacity > 0, !entries.isEmpty else { return }
        var threshold = entries[0].similarity
        // Almost every score loses to the threshold once the heap holds good entries, so 16 are
        // compared at once and only a run with a winner is walked one score at a time.
        while column < count {
            let end = min(column + 16, count)
            if end - column < 16 || any(UnsafeRawPointer(row + column).loadUnaligned(as: SIMD16<Float>.self) .> threshold) {
                for offset in column..<end where row[offset] > threshold && offset != skipped {
                    offer(similarity: row[offset], index: Int32(base + offset))
                    threshold = entries[0].similarity
                }
            }
            column = end
        }
    }

    /// Best first.
    func sorted() -> [(similarity: Float, index: Int32)] {
        entries.sorted { Self.better($0, than: $1) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            // The root holds the worst entry: a child worse than its parent moves up.
            guard Self.better(entries[parent], than: entries[child]) else { return }
            entries.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var worst = left
            let right = left + 1
            if right < entries.count, Self.better(entries[left], than: entries[right]) { worst = right }
            guard Self.better(entries[parent], than: entries[worst]) else { return }
            entries.swapAt(parent, worst)
            parent = worst
        }
    }
}
