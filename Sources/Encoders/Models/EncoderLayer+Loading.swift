import LinearAlgebra

extension EncoderLayer {
    /// A CLIP layer (`self_attn.{q,k,v,out}_proj`, `layer_norm1/2`, `mlp.fc1/2`), pre-LN.
    static func clip(
        _ weights: WeightReader, hidden: Int, intermediate: Int, heads: Int, epsilon: Float, activation: Activation
    ) throws(TransformerError) -> EncoderLayer {
        let projections = try ["q_proj", "k_proj", "v_proj"].map { name throws(TransformerError) in
            try weights.linear("self_attn." + name, inputs: hidden, outputs: hidden)
        }
        return EncoderLayer(
            placement: .beforeBlock, heads: heads,
            queryKeyValue: try stack(projections),
            attentionOutput: try weights.linear("self_attn.out_proj", inputs: hidden, outputs: hidden),
            attentionNorm: try weights.layerNorm("layer_norm1", width: hidden, epsilon: epsilon),
            expand: try weights.linear("mlp.fc1", inputs: hidden, outputs: intermediate),
            contract: try weights.linear("mlp.fc2", inputs: intermediate, outputs: hidden),
            mlpNorm: try weights.layerNorm("layer_norm2", width: hidden, epsilon: epsilon),
            activation: activation)
    }

    /// A BERT layer (`attention.self.{query,key,value}`, `attention.output.{dense,LayerNorm}`,
    /// `intermediate.dense`, `output.{dense,LayerNorm}`), post-LN.
    static func bert(
        _ weights: WeightReader, hidden: Int, intermediate: Int, heads: Int, epsilon: Float, activation: Activation
    ) throws(TransformerError) -> EncoderLayer {
        let projections = try ["query", "key", "value"].map { name throws(TransformerError) in
            try weights.linear("attention.self." + name, inputs: hidden, outputs: hidden)
        }
        return EncoderLayer(
            placement: .afterBlock, heads: heads,
            queryKeyValue: try stack(projections),
            attentionOutput: try weights.linear("attention.output.dense", inputs: hidden, outputs: hidden),
            attentionNorm: try weights.layerNorm("attention.output.LayerNorm", width: hidden, epsilon: epsilon),
            expand: try weights.linear("intermediate.dense", inputs: hidden, outputs: intermediate),
            contract: try weights.linear("output.dense", inputs: intermediate, outputs: hidden),
            mlpNorm: try weights.layerNorm("output.LayerNorm", width: hidden, epsilon: epsilon),
            activation: activation)
    }

    private static func stack(_ layers: [Linear]) throws(TransformerError) -> Linear {
        do { return try Linear(stacking: layers) } catch { throw .shape(error) }
    }
}

extension Activation {
    /// The config's `hidden_act`, or an error naming the config file.
    init(configName: String, file: String) throws(TransformerError) {
        do { try self.init(configName: configName) } catch {
            throw .invalidConfig(file: file, reason: "hidden_act '\(configName)' is not supported")
        }
    }
}
