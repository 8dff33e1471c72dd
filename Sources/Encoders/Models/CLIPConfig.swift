import Foundation

/// The parts of a Hugging Face CLIP `config.json` the native model needs. Keys a config leaves out
/// take transformers' defaults (older configs store only the values that differ from them).
public struct CLIPConfig: Codable, Sendable, Equatable {
    public struct Text: Codable, Sendable, Equatable {
        public var hiddenSize = 512
        public var intermediateSize = 2048
        public var numAttentionHeads = 8
        public var numHiddenLayers = 12
        public var layerNormEps: Float = 1e-5
        public var hiddenAct = "quick_gelu"
        public var maxPositionEmbeddings = 77
        public var vocabSize = 49408
        public var eosTokenId = 49407

        enum CodingKeys: String, CodingKey {
            case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
            case numAttentionHeads = "num_attention_heads", numHiddenLayers = "num_hidden_layers"
            case layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act"
            case maxPositionEmbeddings = "max_position_embeddings", vocabSize = "vocab_size"
            case eosTokenId = "eos_token_id"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Text()
            hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
            intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
            numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
            numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
            layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? d.layerNormEps
            hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
            maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
            vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? d.vocabSize
            eosTokenId = try c.decodeIfPresent(Int.self, forKey: .eosTokenId) ?? d.eosTokenId
        }
    }

    public struct Vision: Codable, Sendable, Equatable {
        public var hiddenSize = 768
        public var intermediateSize = 3072
        public var numAttentionHeads = 12
        public var numHiddenLayers = 12
        public var layerNormEps: Float = 1e-5
        public var hiddenAct = "quick_gelu"
        public var imageSize = 224
        public var patchSize = 32
        public var numChannels = 3

        enum CodingKeys: String, CodingKey {
            case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
            case numAttentionHeads = "num_attention_heads", numHiddenLayers = "num_hidden_layers"
            case layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act"
            case imageSize = "image_size", patchSize = "patch_size", numChannels = "num_channels"
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Vision()
            hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
            intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
            numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
            numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
            layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? d.layerNormEps
            hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
            imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? d.imageSize
            patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? d.patchSize
            numChannels = try c.decodeIfPresent(Int.self, forKey: .numChannels) ?? d.numChannels
        }

        /// Patches per image side.
        public var gridSize: Int { imageSize / patchSize }
    }

    public var textConfig = Text()
    public var visionConfig = Vision()
    public var projectionDim = 512

    enum CodingKeys: String, CodingKey {
        case textConfig = "text_config", visionConfig = "vision_config", projectionDim = "projection_dim"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        textConfig = try c.decodeIfPresent(Text.self, forKey: .textConfig) ?? Text()
        visionConfig = try c.decodeIfPresent(Vision.self, forKey: .visionConfig) ?? Vision()
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? 512
    }

    /// Reads and checks `config.json` in a model folder.
    public init(folder: URL) throws(TransformerError) {
        let url = folder.appendingPathComponent("config.json")
        self = try ConfigFile.decode(CLIPConfig.self, from: url)
        let t = textConfig, v = visionConfig
        let problems = [
            (t.hiddenSize > 0 && t.numAttentionHeads > 0 && t.hiddenSize % t.numAttentionHeads == 0,
             "text hidden_size \(t.hiddenSize) is not a positive multiple of num_attention_heads \(t.numAttentionHeads)"),
            (v.hiddenSize > 0 && v.numAttentionHeads > 0 && v.hiddenSize % v.numAttentionHeads == 0,
             "vision hidden_size \(v.hiddenSize) is not a positive multiple of num_attention_heads \(v.numAttentionHeads)"),
            (v.patchSize > 0 && v.imageSize >= v.patchSize && v.imageSize % v.patchSize == 0,
             "vision image_size \(v.imageSize) is not a positive multiple of patch_size \(v.patchSize)"),
            (t.intermediateSize > 0 && v.intermediateSize > 0 && t.numHiddenLayers >= 0 && v.numHiddenLayers >= 0,
             "layer counts and intermediate sizes must be positive"),
            (t.maxPositionEmbeddings > 0 && t.vocabSize > 0 && v.numChannels > 0 && projectionDim > 0,
             "max_position_embeddings, vocab_size, num_channels and projection_dim must be positive"),
        ]
        if let (_, reason) = problems.first(where: { !$0.0 }) { throw .invalidConfig(file: url.path, reason: reason) }
    }
}
