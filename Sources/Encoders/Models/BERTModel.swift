import Foundation
import LinearAlgebra

/// A BERT encoder from a Hugging Face or sentence-transformers folder (`config.json`,
/// `model.safetensors`, optionally `1_Pooling/config.json`), pooled into one vector per text as
/// sentence-transformers does: all-MiniLM-L6-v2 is the model this is held to.
public struct BERTModel: Sendable {
    /// How token states become one sentence vector (`1_Pooling/config.json`; mean when absent).
    public enum Pooling: String, Sendable {
        case mean, classToken
    }

    public let config: BERTConfig
    public let pooling: Pooling
    public var outputDimension: Int { config.hiddenSize }
    private let wordEmbedding: Matrix
    private let positionEmbedding: Matrix
    /// Row 0 of the token type embeddings: every token of a single text has type 0.
    private let tokenType: [Float]
    private let embeddingNorm: LayerNorm
    private let layers: [EncoderLayer]

    public init(folder: URL) throws(TransformerError) {
        let c = try BERTConfig(folder: folder)
        config = c
        pooling = try Self.readPooling(folder)
        let activation = try Activation(configName: c.hiddenAct, file: folder.appendingPathComponent("config.json").path)
        let tensors: SafeTensors
        do { tensors = try SafeTensors(url: folder.appendingPathComponent("model.safetensors")) } catch { throw .weights(error) }
        // BertForX checkpoints prefix every name with `bert.`; a bare BertModel does not.
        let root = WeightReader(tensors: tensors)
        let weights = root.contains("bert.embeddings.word_embeddings.weight") ? root.scoped("bert.") : root
        wordEmbedding = try weights.matrix("embeddings.word_embeddings.weight", shape: [c.vocabSize, c.hiddenSize])
        positionEmbedding = try weights.matrix("embeddings.position_embeddings.weight", shape: [c.maxPositionEmbeddings, c.hiddenSize])
        tokenType = Array(try weights.matrix("embeddings.token_type_embeddings.weight", shape: [c.typeVocabSize, c.hiddenSize]).rowArrays[0])
        embeddingNorm = try weights.layerNorm("embeddings.LayerNorm", width: c.hiddenSize, epsilon: c.layerNormEps)
        layers = try (0..<c.numHiddenLayers).map { index throws(TransformerError) in
            try EncoderLayer.bert(weights.scoped("encoder.layer.\(index)."), hidden: c.hiddenSize, intermediate: c.intermediateSize,
                                  heads: c.numAttentionHeads, epsilon: c.layerNormEps, activation: activation)
        }
    }

    /// Pooled sentence embeddings [tokens.count, hidden], not normalized.
    /// - Parameter tokens: one id sequence per text, with its [CLS] and [SEP], of any lengths.
    public func embed(tokens: [[Int]]) throws(TransformerError) -> Matrix {
        let c = config
        for (index, ids) in tokens.enumerated() {
            guard !ids.isEmpty, ids.count <= c.maxPositionEmbeddings else {
                throw .invalidInput("text \(index) has \(ids.count) tokens, expected 1 to \(c.maxPositionEmbeddings)")
            }
            if let bad = ids.first(where: { $0 < 0 || $0 >= c.vocabSize }) {
                throw .invalidInput("text \(index) has token id \(bad) outside the vocabulary of \(c.vocabSize)")
            }
        }
        // Packed without padding: the padding mask of the reference, and no work on padded rows.
        let lengths = tokens.map(\.count)
        let hidden = c.hiddenSize
        do throws(LinearAlgebraError) {
            let states = Matrix(rows: lengths.reduce(0, +), columns: hidden)
            var row = 0
            for ids in tokens {
                for (position, id) in ids.enumerated() {
                    let destination = states.pointer(row: row + position)
                    let word = wordEmbedding.pointer(row: id)
                    let place = positionEmbedding.pointer(row: position)
                    for column in 0..<hidden { destination[column] = word[column] + place[column] + tokenType[column] }
                }
                row += ids.count
            }
            try embeddingNorm.apply(states, into: states)
            let workspace = EncoderLayer.Workspace(tokens: states.rows, hidden: hidden, intermediate: c.intermediateSize)
            for layer in layers {
                try layer.apply(states, lengths: lengths, causal: false, workspace: workspace)
            }
            let pooled = Matrix(rows: tokens.count, columns: hidden)
            row = 0
            for (index, length) in lengths.enumerated() {
                let destination = pooled.pointer(row: index)
                switch pooling {
                case .classToken:
                    destination.update(from: states.pointer(row: row), count: hidden)
                case .mean:
                    // Accumulate in Double: long texts sum hundreds of rows.
                    var sums = [Double](repeating: 0, count: hidden)
                    for r in row..<(row + length) {
                        let source = states.pointer(row: r)
                        for column in 0..<hidden { sums[column] += Double(source[column]) }
                    }
                    for column in 0..<hidden { destination[column] = Float(sums[column] / Double(length)) }
                }
                row += length
            }
            return pooled
        } catch {
            throw .shape(error)
        }
    }

    private struct PoolingConfig: Decodable {
        var mean: Bool?
        var classToken: Bool?
        var max: Bool?
        var meanSqrtLength: Bool?
        enum CodingKeys: String, CodingKey {
            case mean = "pooling_mode_mean_tokens", classToken = "pooling_mode_cls_token"
            case max = "pooling_mode_max_tokens", meanSqrtLength = "pooling_mode_mean_sqrt_len_tokens"
        }
    }

    private static func readPooling(_ folder: URL) throws(TransformerError) -> Pooling {
        let url = folder.appendingPathComponent("1_Pooling").appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return .mean }
        let config = try ConfigFile.decode(PoolingConfig.self, from: url)
        switch (config.mean ?? false, config.classToken ?? false, config.max ?? false, config.meanSqrtLength ?? false) {
        case (true, false, false, false): return .mean
        case (false, true, false, false): return .classToken
        default: throw .invalidConfig(file: url.path, reason: "only one of mean or CLS-token pooling is supported")
        }
    }
}
