import Imaging
import LinearAlgebra

/// Fits the builtin image tower: learns the patch dictionary from the thumbnails alone, then the ridge
/// map from their features to the paired caption embeddings. Deterministic for a seed.
public enum BuiltinFitter {
    /// `thumbnails` are `config.imageSize` squares (see `BuiltinImageTower.thumbnail`); `targets` are
    /// the unit caption embeddings paired with them, in the same order.
    public static func fit(
        thumbnails: [RGBImage], targets: [[Float]], config: BuiltinImageConfig, seed: UInt64,
        progress: (String) -> Void = { _ in }
    ) throws -> BuiltinImageTower {
        let problems = config.problems
        guard problems.isEmpty else { throw EncoderError.invalidConfig(problems.joined(separator: "; ")) }
        guard thumbnails.count == targets.count, !thumbnails.isEmpty,
              thumbnails.allSatisfy({ $0.width == config.imageSize && $0.height == config.imageSize }),
              let dimension = targets.first?.count, dimension > 0, targets.allSatisfy({ $0.count == dimension }) else {
            throw EncoderError.invalidConfig("fit needs as many \(config.imageSize)-pixel thumbnails as caption embeddings of one dimension")
        }
        let dictionary = try PatchDictionary.learn(thumbnails: thumbnails, config: config, seed: seed, progress: progress)
        let extractor = ImageFeatureExtractor(config: config, dictionary: dictionary)
        let images = config.mirror ? thumbnails + thumbnails.map { $0.mirrored() } : thumbnails
        progress("fit: features of \(images.count) images")
        let features = extractor.features(of: images)
        let pairs = config.mirror ? targets + targets : targets
        let targetMatrix = try Matrix(rows: pairs.count, columns: dimension, values: pairs.flatMap { $0 })
        progress("fit: ridge map of \(features.columns) features into \(dimension) dimensions")
        let map = try RidgeMap.fit(features: features, targets: targetMatrix, penalty: config.ridge)
        return try BuiltinImageTower(config: config, dictionary: dictionary, map: map)
    }
}
