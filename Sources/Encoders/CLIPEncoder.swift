import Foundation
import Imaging
import LinearAlgebra
import OODCore
import Tokenizers

/// A Hugging Face CLIP folder as both towers of oodsynth's joint space.
public final class CLIPEncoder: TextEncoder, ImageEncoder {
    public let identity: ModelIdentity
    public let model: CLIPModel
    public let tokenizer: CLIPTokenizer
    public let preprocessor: CLIPImagePreprocessor
    private let folder: String

    public init(folder: URL) throws {
        self.folder = folder.path
        do {
            model = try CLIPModel(folder: folder)
        } catch {
            throw EncoderError.model(path: folder.path, reason: error.description)
        }
        do {
            tokenizer = try CLIPTokenizer(folder: folder, contextLength: model.config.textConfig.maxPositionEmbeddings)
        } catch {
            throw EncoderError.model(path: folder.path, reason: error.description)
        }
        preprocessor = try CLIPImagePreprocessor(folder: folder, imageSize: model.config.visionConfig.imageSize)
        identity = ModelIdentity(
            name: folder.lastPathComponent,
            weightsSHA256: try WeightsDigest.sha256(of: folder.appendingPathComponent("model.safetensors").path),
            dimension: model.config.projectionDim)
    }

    public func embed(texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        do {
            // Short captions make small GEMMs: split across cores like the sentence encoder.
            return try BatchSplit.concatenating(texts.map { tokenizer.encode($0) }) {
                VectorNormalization.unitRows(try model.text.embed(tokens: $0))
            }
        } catch {
            throw EncoderError.model(path: folder, reason: String(describing: error))
        }
    }

    public func embed(images: [RGBImage]) throws -> [[Float]] {
        guard !images.isEmpty else { return [] }
        var pixels: [Float] = []
        pixels.reserveCapacity(images.count * 3 * preprocessor.crop * preprocessor.crop)
        for image in images { preprocessor.append(image, to: &pixels) }
        do {
            return VectorNormalization.unitRows(try model.vision.embed(pixels: pixels, batch: images.count))
        } catch {
            throw EncoderError.model(path: folder, reason: error.description)
        }
    }
}
