import Imaging
import LinearAlgebra

/// The builtin model's image tower: unsupervised patch features learned from the ID images, mapped
/// into the text tower's space by ridge regression on ID image/caption pairs. No pretrained weights.
public final class BuiltinImageTower: @unchecked Sendable {
    public let config: BuiltinImageConfig
    public let dictionary: PatchDictionary
    public let map: RidgeMap
    let extractor: ImageFeatureExtractor

    public init(config: BuiltinImageConfig, dictionary: PatchDictionary, map: RidgeMap) throws(LinearAlgebraError) {
        guard dictionary.mean.count == config.patchDimension, dictionary.centroids.rows == config.centroids,
              map.weight.columns == config.featureCount else {
            throw .shapeMismatch("""
                builtin image tower: config wants \(config.patchDimension)-value patches, \(config.centroids) centroids, \
                \(config.featureCount) features; weights have \(dictionary.mean.count), \(dictionary.centroids.rows), \(map.weight.columns)
                """)
        }
        self.config = config
        self.dictionary = dictionary
        self.map = map
        extractor = ImageFeatureExtractor(config: config, dictionary: dictionary)
    }

    public var dimension: Int { map.weight.rows }

    /// The image as the tower sees it: squashed to `imageSize` square by PIL's bicubic filter.
    public func thumbnail(_ image: RGBImage) -> RGBImage {
        Self.thumbnail(image, size: config.imageSize)
    }

    public static func thumbnail(_ image: RGBImage, size: Int) -> RGBImage {
        Resampler.resize(image, width: size, height: size)
    }

    /// Unit-length embeddings, one per image (any size; thumbnails pass through unchanged).
    public func embed(_ images: [RGBImage]) throws -> [[Float]] {
        guard !images.isEmpty else { return [] }
        let features = extractor.features(of: images.map(thumbnail))
        return VectorNormalization.unitRows(try map.apply(features))
    }

    // Tensor names in model.safetensors.
    static let meanName = "patch.whitening_mean"
    static let whiteningName = "patch.whitening"
    static let centroidsName = "patch.centroids"
    static let weightName = "projection.weight"
    static let biasName = "projection.bias"

    /// Reads the weights that `write(into:)` stored, checking every shape against `config`.
    public convenience init(config: BuiltinImageConfig, tensors: SafeTensors, dimension: Int) throws {
        let patch = config.patchDimension
        let dictionary = try PatchDictionary(
            mean: try tensors.floats(Self.meanName, shape: [patch]),
            whitening: try tensors.matrix(Self.whiteningName, shape: [patch, patch]),
            centroids: try tensors.matrix(Self.centroidsName, shape: [config.centroids, patch]))
        let map = try RidgeMap(
            weight: try tensors.matrix(Self.weightName, shape: [dimension, config.featureCount]),
            bias: try tensors.floats(Self.biasName, shape: [dimension]))
        try self.init(config: config, dictionary: dictionary, map: map)
    }

    public func write(into writer: inout SafeTensorsWriter) throws(LinearAlgebraError) {
        try writer.add(Self.meanName, shape: [dictionary.mean.count], values: dictionary.mean)
        try writer.add(Self.whiteningName, matrix: dictionary.whitening)
        try writer.add(Self.centroidsName, matrix: dictionary.centroids)
        try writer.add(Self.weightName, matrix: map.weight)
        try writer.add(Self.biasName, shape: [map.bias.count], values: map.bias)
    }
}
