import LinearAlgebra

/// One transformer encoder layer: multi-head self-attention and an MLP, each with a residual
/// connection and a layer norm either before the block (CLIP, pre-LN) or after it (BERT, post-LN).
/// Query, key and value are one stacked projection, so a layer runs four large GEMMs.
struct EncoderLayer: Sendable {
    enum NormPlacement: Sendable { case beforeBlock, afterBlock }

    let placement: NormPlacement
    let heads: Int
    let queryKeyValue: Linear
    let attentionOutput: Linear
    let attentionNorm: LayerNorm
    let expand: Linear
    let contract: Linear
    let mlpNorm: LayerNorm
    let activation: Activation

    var hidden: Int { attentionOutput.outputs }
    var intermediate: Int { expand.outputs }

    /// Buffers for one forward pass, sized for its token count and shared by all layers.
    final class Workspace {
        let normed: Matrix
        let queryKeyValue: Matrix
        let context: Matrix
        let intermediate: Matrix

        init(tokens: Int, hidden: Int, intermediate: Int) {
            normed = Matrix(rows: tokens, columns: hidden)
            queryKeyValue = Matrix(rows: tokens, columns: 3 * hidden)
            context = Matrix(rows: tokens, columns: hidden)
            self.intermediate = Matrix(rows: tokens, columns: intermediate)
        }

        /// Buffers taken from `pool` (each is written in full before it is read); give them back with
        /// `matrices` when the pass is done.
        init(tokens: Int, hidden: Int, intermediate: Int, pool: MatrixPool) {
            normed = pool.take(rows: tokens, columns: hidden)
            queryKeyValue = pool.take(rows: tokens, columns: 3 * hidden)
            context = pool.take(rows: tokens, columns: hidden)
            self.intermediate = pool.take(rows: tokens, columns: intermediate)
        }

        var matrices: [Matrix] { [normed, queryKeyValue, context, intermediate] }
    }

    /// Transforms `states` ([Σ lengths, hidden], sequences packed back to back) in place.
    func apply(_ states: Matrix, lengths: [Int], causal: Bool, workspace: Workspace) throws(LinearAlgebraError) {
        switch placement {
        case .beforeBlock:
            try attentionNorm.apply(states, into: workspace.normed)
            try attend(workspace.normed, lengths: lengths, causal: causal, workspace: workspace)
            try attentionOutput.accumulate(workspace.context, into: states)
            try mlpNorm.apply(states, into: workspace.normed)
            try expand.apply(workspace.normed, into: workspace.intermediate)
            activation.apply(workspace.intermediate)
            try contract.accumulate(workspace.intermediate, into: states)
        case .afterBlock:
            try attend(states, lengths: lengths, causal: causal, workspace: workspace)
            try attentionOutput.accumulate(workspace.context, into: states)
            try attentionNorm.apply(states, into: states)
            try expand.apply(states, into: workspace.intermediate)
            activation.apply(workspace.intermediate)
            try contract.accumulate(workspace.intermediate, into: states)
            try mlpNorm.apply(states, into: states)
        }
    }

    /// The layer's output at one row of each sequence (`positions`), [lengths.count, hidden]: what the
    /// last layer of a model that pools one token has to compute. Every row still gives its key and
    /// value, but the query, attention, output projection and MLP run for the kept rows only (in
    /// ViT-B/32's last layer, 1 row of 50: 7% of the model's work). Each kept row is the same bits as
    /// in `apply`; `states` is left as it was.
    func apply(_ states: Matrix, lengths: [Int], causal: Bool, keeping positions: [Int], workspace: Workspace) throws(LinearAlgebraError) -> Matrix {
        var rows: [Int] = []
        var start = 0
        for (length, position) in zip(lengths, positions) {
            rows.append(start + position)
            start += length
        }
        guard placement == .beforeBlock else {
            // Post-LN layers normalize after the residual, so nothing is saved before the MLP; run
            // the whole layer and pick the rows.
            try apply(states, lengths: lengths, causal: causal, workspace: workspace)
            return Self.rows(rows, of: states)
        }
        try attentionNorm.apply(states, into: workspace.normed)
        try queryKeyValue.apply(workspace.normed, outputs: hidden..<(3 * hidden), into: workspace.queryKeyValue, column: hidden)
        let queries = Matrix(rows: rows.count, columns: hidden)
        try queryKeyValue.apply(Self.rows(rows, of: workspace.normed), outputs: 0..<hidden, into: queries, column: 0)
        let context = Matrix(rows: rows.count, columns: hidden)
        try Attention.apply(queries: queries, qkv: workspace.queryKeyValue, into: context, positions: positions,
                            packedLengths: lengths, heads: heads, causal: causal)
        let kept = Self.rows(rows, of: states)
        try attentionOutput.accumulate(context, into: kept)
        let normed = Matrix(rows: rows.count, columns: hidden)
        try mlpNorm.apply(kept, into: normed)
        let expanded = try expand(normed)
        activation.apply(expanded)
        try contract.accumulate(expanded, into: kept)
        return kept
    }

    /// A copy of the given rows.
    private static func rows(_ rows: [Int], of matrix: Matrix) -> Matrix {
        let result = Matrix(rows: rows.count, columns: matrix.columns)
        for (index, row) in rows.enumerated() {
            result.pointer(row: index).update(from: matrix.pointer(row: row), count: matrix.columns)
        }
        return result
    }

    private func attend(_ input: Matrix, lengths: [Int], causal: Bool, workspace: Workspace) throws(LinearAlgebraError) {
        try queryKeyValue.apply(input, into: workspace.queryKeyValue)
        try Attention.apply(qkv: workspace.queryKeyValue, into: workspace.context, packedLengths: lengths, heads: heads, causal: causal)
    }
}
