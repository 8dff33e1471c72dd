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
        try run(qkv: qkv, into: output, starts: starts, lengths: lengths, longest: lengths.max() ?? 0, heads: heads, causal: causal)
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
        try run(qkv: qkv, into: output, starts: starts, lengths: lengths, longest: sequence, heads: heads, causal: causal)
        for (start, length) in zip(starts, lengths) where length < sequence {
            output.pointer(row: start + length).update(repeating: 0, count: (sequence - length) * output.columns)
        }
    }

    /// Multiply-adds of one head's score product below which direct sums beat a BLAS call (about
    /// 7 µs of BLIS overhead per call, measured): 64 tokens of 64 values.
    static let directHeadProduct = 64 * 64 * 64

    private static func run(
        qkv: Matrix, into output: Matrix, starts: [Int], lengths: [Int], longest: Int, heads: Int, causal: Bool
    ) throws(LinearAlgebraError) {
        let hidden = output.columns
        guard heads > 0, hidden % heads == 0, qkv.columns == 3 * hidden, output.rows == qkv.rows else {
            throw .shapeMismatch(
                "attention with \(heads) heads over qkv [\(qkv.rows), \(qkv.columns)] into [\(output.rows), \(output.columns)]")
        }
        let headWidth = hidden / heads
        let scale = 1 / Float(headWidth).squareRoot()
        let stride = qkv.columns
        let tasks = zip(starts, lengths).filter { $0.1 > 0 }.flatMap { sequence in (0..<heads).map { (sequence.0, sequence.1, $0) } }
        // Heads of every sequence are spread over the cores, each head's products on one thread.
        // Each sequence is multiplied at its own length, never padded to the batch's longest.
        let parts = min(Parallel.workers, tasks.count)
        Parallel.run(parts) { part in
            let scores = Matrix(rows: longest, columns: longest)
            for index in Swift.stride(from: part, to: tasks.count, by: parts) {
                let (firstRow, length, head) = tasks[index]
                // Strided views into the fused QKV rows: BLAS reads one head without a copy.
                let query = qkv.pointer(row: firstRow) + head * headWidth
                let key = query + hidden
                let value = key + hidden
                // Short sequences (a caption, a ViT-B/32 image) by direct sums, longer ones by BLAS:
                // which one depends only on the sequence's own length, never on its batch.
                let direct = length * length * headWidth <= Self.directHeadProduct
                if direct {
                    cgemm_head_scores(length, length, headWidth, scale, query, stride, key, stride, scores.base, length)
                } else {
                    Matrix.gemm(transposeA: false, transposeB: true, m: length, n: length, k: headWidth,
                                alpha: scale, a: query, lda: stride, b: key, ldb: stride,
                                c: scores.base, ldc: length)
                }
                for row in 0..<length {
                    let scoreRow = scores.base + row * length
                    let visible = causal ? row + 1 : length
                    VectorMath.softmax(scoreRow, count: visible)
                    if visible < length { (scoreRow + visible).update(repeating: 0, count: length - visible) }
                }
                if direct {
                    cgemm_head_mix(length, length, headWidth, scores.base, length, value, stride,
                                   output.pointer(row: firstRow) + head * headWidth, hidden)
                } else {
                    Matrix.gemm(transposeA: false, transposeB: false, m: length, n: headWidth, k: length,
                                a: scores.base, lda: length, b: value, ldb: stride,
                                c: output.pointer(row: firstRow) + head * headWidth, ldc: hidden)
                }
            }
        }
    }
}
