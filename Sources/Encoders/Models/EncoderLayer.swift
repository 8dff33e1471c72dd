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

    private func attend(_ input: Matrix, lengths: [Int], causal: Bool, workspace: Workspace) throws(LinearAlgebraError) {
        try queryKeyValue.apply(input, into: workspace.queryKeyValue)
        try Attention.apply(qkv: workspace.queryKeyValue, into: workspace.context, packedLengths: lengths, heads: heads, causal: causal)
    }
}
