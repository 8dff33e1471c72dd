import Foundation
import LinearAlgebra
import OODCore
import Tokenizers

/// A sentence-transformers BERT folder (all-MiniLM-L6-v2 and its kin) as a text tower.
public final class SentenceEncoder: TextEncoder {
    public let identity: ModelIdentity
    public let model: BERTModel
    public let tokenizer: WordPieceTokenizer
    /// sentence-transformers' `max_seq_length`: longer texts are truncated to it.
    public let maxLength: Int
    private let folder: String

    public init(folder: URL, name: String? = nil) throws {
        self.folder = folder.path
        do {
            model = try BERTModel(folder: folder)
            tokenizer = try WordPieceTokenizer(folder: folder)
        } catch let error as CustomStringConvertible & Error {
            throw EncoderError.model(path: folder.path, reason: error.description)
        }
        maxLength = Self.maxSequenceLength(folder) ?? min(256, model.config.maxPositionEmbeddings)
        identity = ModelIdentity(
            name: name ?? folder.lastPathComponent,
            weightsSHA256: try WeightsDigest.sha256(of: folder.appendingPathComponent("model.safetensors").path),
            dimension: model.outputDimension)
    }

    public func embed(texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let tokens = texts.map { tokenizer.encode($0, maxLength: maxLength) }
        do {
            return try BatchSplit.concatenating(tokens) { VectorNormalization.unitRows(try model.embed(tokens: $0)) }
        } catch {
            throw EncoderError.model(path: folder, reason: String(describing: error))
        }
    }

    private static func maxSequenceLength(_ folder: URL) -> Int? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("sentence_bert_config.json").path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["max_seq_length"] as? Int
    }
}
