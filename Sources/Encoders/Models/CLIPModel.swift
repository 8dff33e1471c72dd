import Foundation
import LinearAlgebra

/// A Hugging Face CLIP checkpoint folder (`config.json`, `model.safetensors`) run natively: both
/// towers project into the joint space of `config.projectionDim` dimensions.
public struct CLIPModel: Sendable {
    public let config: CLIPConfig
    public let vision: CLIPVisionModel
    public let text: CLIPTextModel

    public init(folder: URL) throws(TransformerError) {
        config = try CLIPConfig(folder: folder)
        let tensors: SafeTensors
        do { tensors = try SafeTensors(url: folder.appendingPathComponent("model.safetensors")) } catch { throw .weights(error) }
        let weights = WeightReader(tensors: tensors)
        let configPath = folder.appendingPathComponent("config.json").path
        vision = try CLIPVisionModel(weights: weights, config: config, file: configPath)
        text = try CLIPTextModel(weights: weights, config: config, file: configPath)
    }
}
