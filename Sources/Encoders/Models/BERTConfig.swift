import Foundation

/// The parts of a Hugging Face BERT `config.json` the native model needs, with transformers'
/// defaults for keys a config leaves out.
public struct BERTConfig: Codable, Sendable, Equatable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var numAttentionHeads = 12
    public var numHiddenLayers = 12
    public var layerNormEps: Float = 1e-12
    public var hiddenAct = "gelu"
    public var maxPositionEmbeddings = 512
    public var typeVocabSize = 2
    public var vocabSize = 30522

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numAttentionHeads = "num_attention_heads", numHiddenLayers = "num_hidden_layers"
        case layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case vocabSize = "vocab_size"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BERTConfig()
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? d.layerNormEps
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
        typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? d.typeVocabSize
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? d.vocabSize
    }

    /// Reads and checks `config.json` in a model folder.
    public init(folder: URL) throws(TransformerError) {
        let url = folder.appendingPathComponent("config.json")
        self = try ConfigFile.decode(BERTConfig.self, from: url)
        guard hiddenSize > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0 else {
            throw .invalidConfig(file: url.path, reason: "hidden_size \(hiddenSize) is not a positive multiple of num_attention_heads \(numAttentionHeads)")
        }
        guard intermediateSize > 0, numHiddenLayers >= 0, maxPositionEmbeddings > 0, typeVocabSize > 0, vocabSize > 0 else {
            throw .invalidConfig(file: url.path, reason: "sizes and counts must be positive")
        }
    }
}
