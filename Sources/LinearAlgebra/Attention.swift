import CGEMM
/// Multi-head scaled dot-product attention, softmax(Q·Kᵀ / √d) · V, over a batch of sequences laid
/// out as a transformer keeps them: one row per token, the sequences one after another.
public enum Attention {
    /// Attention over sequences packed back to back with no padding rows at all: the padding mask of
    /// a right-padded batch, without computing (in any layer) the rows that padding would add.
    /// - Parameters:
    ///   - qkv: [Σ lengths, 3 · hidden]; each row is query | key | value, and within each the heads
    ///     are contiguous slices of `hidden / heads` (the order of Hugging Face projections).
    ///   - output: [Σ lengths, hidden], the heads concatenated per row.
    ///   - causal: a position attends only to itself and earlier positions.
    public static func apply(
        qkv: Matrix, into output: Matrix, packedLengths lengths: [Int], heads: Int, causal: Bool = false
    ) throws(LinearAlgebraError) {
        let total = lengths.reduce(0, +)
        guard lengths.allSatisfy({ $0 >= 0 }), qkv.rows == total else {
            throw .shapeMismatch("attention over packed lengths \(lengths) with qkv of \(qkv.rows) rows")
        }
        var starts: [Int] = []
        var start = 0
        for length in lengths {
            starts.append(start)
            start += length
        }
        try run(qkv: qkv, into: output, starts: starts, lengths: lengths, heads: heads, causal: causal)
    }

    /// Attention over a right-padded batch of `batch` sequences of `sequence` rows each.
    /// - Parameter lengths: the real length of each sequence, or nil when none is padded. Keys past a
    ///   length are masked and padded query rows are set to zero, so padding never reaches a real token.
    public static func apply(
        qkv: Matrix, into output: Matrix, batch: Int, sequence: Int, heads: Int,
        lengths: [Int]? = nil, causal: Bool = false
    ) throws(LinearAlgebraError) {
        guard batch >= 0, sequence >= 0, qkv.rows == batch * sequence else {
            throw .shapeMismatch("attention over batch \(batch) x \(sequence) with qkv of \(qkv.rows) rows")
        }
        let lengths = lengths ?? Array(repeating: sequence, count: batch)
        guard lengths.count == batch, lengths.allSatisfy({ $0 >= 0 && $0 <= sequence }) else {
            throw .shapeMismatch("attention lengths \(lengths) for batch \(batch) x \(sequence)")
        }
        let starts = (0..<batch).map { $0 * sequence }
        try run(qkv: qkv, into: output, starts: starts, lengths: lengths, heads: heads, causal: causal)
        for (start, length) in zip(starts, lengths) where length < sequence {
            output.pointer(row: start + length).update(repeating: 0, count: (sequence - length) * output.columns)
        }
    }

    /// Attention for one query row of each sequence, packed back to back as in
    /// `apply(qkv:into:packedLengths:heads:causal:)`: what a model needs in its last layer when it
    /// pools a single token (CLIP's class token, or the end-of-text token). Each output row is the same
    /// bits as that row of the full attention, computed at 1/length of the cost.
    /// - Parameters:
    ///   - queries: [lengths.count, hidden], the query of the kept row of each sequence.
    ///   - qkv: [Σ lengths, 3 · hidden] whose key and value columns are read (the query columns are not).
    ///   - positions: the kept row's position within each sequence (under `causal` it sees the keys up
    ///     to and including it).
    ///   - output: [lengths.count, hidden].
    public static func apply(
        queries: Matrix, qkv: Matrix, into output: Matrix, positions: [Int], packedLengths lengths: [Int],
        heads: Int, causal: Bool = false
    ) throws(LinearAlgebraError) {
        let hidden = output.columns
        guard lengths.allSatisfy({ $0 > 0 }), qkv.rows == lengths.reduce(0, +), positions.count == lengths.count,
              zip(positions, lengths).allSatisfy({ $0 >= 0 && $0 < $1 }),
              queries.rows == lengths.count, output.rows == lengths.count, queries.columns == hidden
        else {
            throw .shapeMismatch(
                "attention at positions \(positions) of packed lengths \(lengths) with qkv of \(qkv.rows) rows, " +
                "queries [\(queries.rows), \(queries.columns)] into [\(output.rows), \(output.columns)]")
        }
        var tasks: [Task] = []
        var start = 0
        for (index, (length, position)) in zip(lengths, positions).enumerated() {
            tasks.append(Task(keyRow: start, length: length, queryRow: index, outputRow: index, firstPosition: position, queryCount: 1))
            start += length
        }
        try run(tasks, queries: queries, qkv: qkv, into: output, heads: heads, causal: causal)
    }

    /// Multiply-adds of one head's score product below which direct sums beat a BLAS call (about
    /// 7 µs of BLIS overhead per call, measured): 64 tokens of 64 values.
    static let directHeadProduct = 64 * 64 * 64

    /// One sequence's share of the work: `queryCount` consecutive query rows, at positions from
    /// `firstPosition`, against the `length` keys and values starting at `keyRow` of the qkv matrix.
    private struct Task {
        let keyRow: Int
        let length: Int
        let queryRow: Int
        let outputRow: Int
        let firstPosition: Int
        let queryCount: Int
    }

    private static func run(
        qkv: Matrix, into output: Matrix, starts: [Int], lengths: [Int], heads: Int, causal: Bool
    ) throws(LinearAlgebraError) {
        guard output.rows == qkv.rows else {
            throw .shapeMismatch(
                "attention with \(heads) heads over qkv [\(qkv.rows), \(qkv.columns)] into [\(output.rows), \(output.columns)]")
        }
        let tasks = zip(starts, lengths).filter { $0.1 > 0 }.map { start, length in
            Task(keyRow: start, length: length, queryRow: start, outputRow: start, firstPosition: 0, queryCount: length)
        }
        try run(tasks, queries: qkv, qkv: qkv, into: output, heads: heads, causal: causal)
    }

    /// Runs every task's heads over the cores. Queries come from `queries` (the qkv matrix itself, or
    /// a separate matrix of kept rows); either way a row's scores, softmax and mix are the same
    /// operations on the same operands, so the same bits.
    private static func run(
        _ sequences: [Task], queries: Matrix, qkv: Matrix, into output: Matrix, heads: Int, causal: Bool
    ) throws(LinearAlgebraError) {
        let hidden = output.columns
        guard heads > 0, hidden % heads == 0, qkv.columns == 3 * hidden, queries.columns >= hidden else {
            throw .shapeMismatch(
                "attention with \(heads) heads over qkv [\(qkv.rows), \(qkv.columns)] into [\(output.rows), \(output.columns)]")
        }
        let headWidth = hidden / heads
        let scale = 1 / Float(headWidth).squareRoot()
        let stride = qkv.columns
        let queryStride = queries.columns
        let longest = sequences.map(\.length).max() ?? 0
        let mostQueries = sequences.map(\.queryCount).max() ?? 0
        let tasks = sequences.flatMap { sequence in (0..<heads).map { (sequence, $0) } }
        // Heads of every sequence are spread over the cores, each head's products on one thread.
        // Each sequence is multiplied at its own length, never padded to the batch's longest.
        let parts = min(Parallel.workers, tasks.count)
        Parallel.run(parts) { part in
            let scores = Matrix(rows: mostQueries, columns: longest)
            for index in Swift.stride(from: part, to: tasks.count, by: parts) {
                let (task, head) = tasks[index]
                let length = task.length, count = task.queryCount
                // Strided views into the fused QKV rows: BLAS reads one head without a copy.
                let query = queries.pointer(row: task.queryRow) + head * headWidth
                let key = qkv.pointer(row: task.keyRow) + hidden + head * headWidth
                let value = key + hidden
                let out = output.pointer(row: task.outputRow) + head * headWidth
                // Short sequences (a caption, a ViT-B/32 image) by direct sums, longer ones by BLAS:
                // which one depends only on the sequence's own length, never on its batch or on how
                // many of its rows are asked for.
                let direct = length * length * headWidth <= Self.directHeadProduct
                if direct {
                    cgemm_head_scores(count, length, headWidth, scale, query, queryStride, key, stride, scores.base, length)
                } else {
                    Matrix.gemm(transposeA: false, transposeB: true, m: count, n: length, k: headWidth,
                                alpha: scale, a: query, lda: queryStride, b: key, ldb: stride,
                                c: scores.base, ldc: length)
                }
                for row in 0..<count {
                    let scoreRow = scores.base + row * length
                    let visible = causal ? task.firstPosition + row + 1 : length
                    VectorMath.softmax(scoreRow, count: visible)
                    if visible < length { (scoreRow + visible).update(repeating: 0, count: length - visible) }
                }
                if direct {
                    cgemm_head_mix(count, length, headWidth, scores.base, length, value, stride, out, hidden)
                } else {
                    Matrix.gemm(transposeA: false, transposeB: false, m: count, n: headWidth, k: length,
                                a: scores.base, lda: length, b: value, ldb: stride, c: out, ldc: hidden)
                }
            }
        }
    }
}
