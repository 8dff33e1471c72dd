import LinearAlgebra

/// CLIP's text tower: token and position embeddings, causal pre-LN encoder layers,
/// `final_layer_norm`, pooling at the end-of-text position and `text_projection`.
///
/// Sequences are not padded to the context length: causal attention means no token sees a later
/// one, so each sequence is cut right after its pooled position and the batch is packed without
/// padding. The pooled output is identical to the reference's, and short captions cost little.
public struct CLIPTextModel: Sendable {
    public let config: CLIPConfig.Text
    public let outputDimension: Int
    private let tokenEmbedding: Matrix
    private let positionEmbedding: Matrix
    private let layers: [EncoderLayer]
    private let finalNorm: LayerNorm
    private let projection: Linear

    /// Loads the `text_model.*` and `text_projection` weights of a CLIP checkpoint.
    init(weights: WeightReader, config: CLIPConfig, file: String) throws(TransformerError) {
        let t = config.textConfig
        self.config = t
        outputDimension = config.projectionDim
        let activation = try Activation(configName: t.hiddenAct, file: file)
        let model = weights.scoped("text_model.")
        tokenEmbedding = try model.matrix("embeddings.token_embedding.weight", shape: [t.vocabSize, t.hiddenSize])
        positionEmbedding = try model.matrix("embeddings.position_embedding.weight", shape: [t.maxPositionEmbeddings, t.hiddenSize])
        layers = try (0..<t.numHiddenLayers).map { index throws(TransformerError) in
            try EncoderLayer.clip(model.scoped("encoder.layers.\(index)."), hidden: t.hiddenSize, intermediate: t.intermediateSize,
                                  heads: t.numAttentionHeads, epsilon: t.layerNormEps, activation: activation)
        }
        finalNorm = try model.layerNorm("final_layer_norm", width: t.hiddenSize, epsilon: t.layerNormEps)
        projection = try weights.linear("text_projection", inputs: t.hiddenSize, outputs: config.projectionDim, bias: false)
    }

    /// The position whose state is pooled, by transformers' rule: configs from before the EOT id was
    /// fixed say `eos_token_id` 2, and then the largest id (EOT is the last in CLIP's vocabulary)
    /// marks it; otherwise the first `eos_token_id`, or position 0 when there is none.
    public func pooledPosition(_ tokens: [Int]) -> Int {
        if config.eosTokenId == 2 {
            var best = 0
            for (index, token) in tokens.enumerated() where token > tokens[best] { best = index }
            return best
        }
        return tokens.firstIndex(of: config.eosTokenId) ?? 0
    }

    /// Projected text embeddings [tokens.count, outputDimension], not normalized.
    /// - Parameter tokens: one id sequence per text, with its start and end tokens, of any lengths.
    public func embed(tokens: [[Int]]) throws(TransformerError) -> Matrix {
        let t = config
        for (index, ids) in tokens.enumerated() {
            guard !ids.isEmpty, ids.count <= t.maxPositionEmbeddings else {
                throw .invalidInput("text \(index) has \(ids.count) tokens, expected 1 to \(t.maxPositionEmbeddings)")
            }
            if let bad = ids.first(where: { $0 < 0 || $0 >= t.vocabSize }) {
                throw .invalidInput("text \(index) has token id \(bad) outside the vocabulary of \(t.vocabSize)")
            }
        }
        let lengths = tokens.map { pooledPosition($0) + 1 }
        let hidden = t.hiddenSize
        do throws(LinearAlgebraError) {
            let states = Matrix(rows: lengths.reduce(0, +), columns: hidden)
            var row = 0
            for (ids, length) in zip(tokens, lengths) {
                for position in 0..<length {
                    let destination = states.pointer(row: row + position)
                    let token = tokenEmbedding.pointer(row: ids[position])
                    let place = positionEmbedding.pointer(row: position)
                    for column in 0..<hidden { destination[column] = token[column] + place[column] }
                }
                row += length
            }
            let workspace = EncoderLayer.Workspace(tokens: states.rows, hidden: hidden, intermediate: t.intermediateSize)
            for layer in layers.dropLast() {
                try layer.apply(states, lengths: lengths, causal: true, workspace: workspace)
            }
            // Only the end-of-text token (each sequence's last row) is pooled, so the last layer
            // runs for it alone.
            let ends = lengths.map { $0 - 1 }
            let pooled: Matrix
            if let last = layers.last {
                pooled = try last.apply(states, lengths: lengths, causal: true, keeping: ends, workspace: workspace)
            } else {
                pooled = Matrix(rows: tokens.count, columns: hidden)
                row = 0
                for (index, length) in lengths.enumerated() {
                    row += length
                    pooled.pointer(row: index).update(from: states.pointer(row: row - 1), count: hidden)
                }
            }
            try finalNorm.apply(pooled, into: pooled)
            return try projection(pooled)
        } catch {
            throw .shape(error)
        }
    }
}
