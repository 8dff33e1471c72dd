import LinearAlgebra

/// CLIP's image tower: a ViT whose patch embedding runs as one GEMM over unfolded patches, a class
/// token, learned position embeddings, `pre_layrnorm`, pre-LN encoder layers, `post_layernorm` on
/// the class token and `visual_projection`. Read-only after loading, so one instance can serve
/// several threads.
public struct CLIPVisionModel: Sendable {
    public let config: CLIPConfig.Vision
    /// Length of the projected embedding.
    public let outputDimension: Int
    /// The patch convolution as a matrix [hidden, channels · patch · patch] (it has no bias in CLIP).
    private let patchWeight: Matrix
    private let classEmbedding: [Float]
    /// [1 + patches, hidden].
    private let positions: Matrix
    private let preNorm: LayerNorm
    private let layers: [EncoderLayer]
    private let postNorm: LayerNorm
    private let projection: Linear
    /// The forward pass's large buffers, reused from batch to batch.
    private let scratch = MatrixPool()

    /// Loads the `vision_model.*` and `visual_projection` weights of a CLIP checkpoint.
    init(weights: WeightReader, config: CLIPConfig, file: String) throws(TransformerError) {
        let v = config.visionConfig
        self.config = v
        outputDimension = config.projectionDim
        let activation = try Activation(configName: v.hiddenAct, file: file)
        let model = weights.scoped("vision_model.")
        let convolution = try model.matrix("embeddings.patch_embedding.weight", shape: [v.hiddenSize, v.numChannels, v.patchSize, v.patchSize])
        // [hidden, c, p, p] in row-major order is already the matrix [hidden, c·p·p].
        patchWeight = convolution
        classEmbedding = try model.vector("embeddings.class_embedding", count: v.hiddenSize)
        positions = try model.matrix("embeddings.position_embedding.weight", shape: [v.gridSize * v.gridSize + 1, v.hiddenSize])
        preNorm = try model.layerNorm("pre_layrnorm", width: v.hiddenSize, epsilon: v.layerNormEps)
        layers = try (0..<v.numHiddenLayers).map { index throws(TransformerError) in
            try EncoderLayer.clip(model.scoped("encoder.layers.\(index)."), hidden: v.hiddenSize, intermediate: v.intermediateSize,
                                  heads: v.numAttentionHeads, epsilon: v.layerNormEps, activation: activation)
        }
        postNorm = try model.layerNorm("post_layernorm", width: v.hiddenSize, epsilon: v.layerNormEps)
        projection = try weights.linear("visual_projection", inputs: v.hiddenSize, outputs: config.projectionDim, bias: false)
    }

    /// Projected image embeddings [batch, outputDimension], not normalized.
    /// - Parameter pixels: preprocessed images [batch, channels, imageSize, imageSize] in row-major order.
    public func embed(pixels: [Float], batch: Int) throws(TransformerError) -> Matrix {
        let v = config
        let side = v.imageSize, patch = v.patchSize, grid = v.gridSize
        let imageCount = v.numChannels * side * side
        guard batch > 0, pixels.count == batch * imageCount else {
            throw .invalidInput("\(pixels.count) pixel values for a batch of \(batch) images of \(v.numChannels)x\(side)x\(side)")
        }
        let patches = grid * grid, sequence = patches + 1, hidden = v.hiddenSize
        do throws(LinearAlgebraError) {
            // Unfold every patch into one row, channel-major like the convolution weight, so the patch
            // embedding of the whole batch is one GEMM.
            let unfolded = scratch.take(rows: batch * patches, columns: patchWeight.columns)
            pixels.withUnsafeBufferPointer { source in
                guard let source = source.baseAddress else { return }
                for image in 0..<batch {
                    for gy in 0..<grid {
                        for gx in 0..<grid {
                            var destination = unfolded.pointer(row: image * patches + gy * grid + gx)
                            for channel in 0..<v.numChannels {
                                let plane = source + image * imageCount + channel * side * side
                                for y in 0..<patch {
                                    destination.update(from: plane + (gy * patch + y) * side + gx * patch, count: patch)
                                    destination += patch
                                }
                            }
                        }
                    }
                }
            }
            let embedded = scratch.take(rows: batch * patches, columns: hidden)
            try embedded.assign(unfolded, timesTransposeOf: patchWeight)
            let states = scratch.take(rows: batch * sequence, columns: hidden)
            for image in 0..<batch {
                let first = states.pointer(row: image * sequence)
                for column in 0..<hidden { first[column] = classEmbedding[column] + positions[0, column] }
                let rest = states.pointer(row: image * sequence + 1)
                rest.update(from: embedded.pointer(row: image * patches), count: patches * hidden)
                for index in 0..<(patches * hidden) { rest[index] += positions.base[hidden + index] }
            }
            try preNorm.apply(states, into: states)
            let workspace = EncoderLayer.Workspace(tokens: states.rows, hidden: hidden, intermediate: v.intermediateSize, pool: scratch)
            defer { scratch.recycle([unfolded, embedded, states] + workspace.matrices) }
            let lengths = Array(repeating: sequence, count: batch)
            for layer in layers.dropLast() {
                try layer.apply(states, lengths: lengths, causal: false, workspace: workspace)
            }
            // Only the class token is pooled, so the last layer runs for it alone.
            let pooled: Matrix
            if let last = layers.last {
                pooled = try last.apply(states, lengths: lengths, causal: false, keeping: Array(repeating: 0, count: batch), workspace: workspace)
            } else {
                pooled = Matrix(rows: batch, columns: hidden)
                for image in 0..<batch { pooled.pointer(row: image).update(from: states.pointer(row: image * sequence), count: hidden) }
            }
            try postNorm.apply(pooled, into: pooled)
            return try projection(pooled)
        } catch {
            throw .shape(error)
        }
    }
}
