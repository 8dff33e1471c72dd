/// The recipe of the builtin image tower (Coates & Ng 2011, "The importance of encoding versus training
/// with sparse coding and vector quantization", plus colour statistics), stored in the model's
/// `config.json` so a folder always embeds the way it was fitted.
public struct BuiltinImageConfig: Codable, Sendable, Equatable {
    /// Images are squashed to `imageSize` x `imageSize` before feature extraction.
    public var imageSize = 32
    /// Side of the square RGB patches (every position, stride 1).
    public var patchSize = 6
    /// Size of the k-means patch dictionary.
    public var centroids = 256
    /// Soft threshold of the encoder: max(0, d·z - alpha) and max(0, -d·z - alpha).
    public var threshold: Float = 0.25
    /// Added to each patch's variance before contrast normalization (pixels 0-255), so flat patches
    /// are not blown up into noise.
    public var contrastEpsilon: Float = 10
    /// Added to the covariance eigenvalues in ZCA whitening.
    public var whiteningEpsilon: Double = 0.1
    /// Sum-pooling grids over the response map: 1 is global, 2 the quadrants, 3 a 3x3 grid.
    public var poolingGrids = [1, 2, 3]
    /// Colour histogram bins per channel (bins³ cells), plus mean and spread per quadrant.
    public var colourBins = 4
    /// Patches drawn (with replacement, seeded) to learn the whitening and dictionary.
    public var patchSamples = 100_000
    public var kmeansIterations = 10
    /// Ridge penalty of the map into the text space (features are standardized first).
    public var ridge: Double = 300
    /// Fit on each image and its mirror image: twice the pairs for the same captions.
    public var mirror = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size", patchSize = "patch_size", centroids, threshold
        case contrastEpsilon = "contrast_epsilon", whiteningEpsilon = "whitening_epsilon"
        case poolingGrids = "pooling_grids", colourBins = "colour_bins", patchSamples = "patch_samples"
        case kmeansIterations = "kmeans_iterations", ridge, mirror
    }

    /// Floats in one patch vector.
    public var patchDimension: Int { patchSize * patchSize * 3 }

    /// Patch positions per side of the response map.
    public var responseSide: Int { imageSize - patchSize + 1 }

    public var colourFeatureCount: Int { ColourStatistics.featureCount(bins: colourBins) }

    public var featureCount: Int {
        poolingGrids.reduce(0) { $0 + $1 * $1 } * 2 * centroids + colourFeatureCount
    }

    /// Problems with the values, for `fit`'s validation and for a hand-edited config.
    public var problems: [String] {
        var found: [String] = []
        if !(8...512).contains(imageSize) { found.append("image_size \(imageSize) is not in 8...512") }
        if !(2...16).contains(patchSize) || patchSize >= imageSize { found.append("patch_size \(patchSize) must be in 2...16 and below image_size") }
        if !(2...8192).contains(centroids) { found.append("centroids \(centroids) is not in 2...8192") }
        if poolingGrids.isEmpty || poolingGrids.contains(where: { $0 < 1 || $0 > responseSide }) {
            found.append("pooling_grids \(poolingGrids) must be non-empty, each in 1...\(responseSide)")
        }
        if !(1...16).contains(colourBins) { found.append("colour_bins \(colourBins) is not in 1...16") }
        if patchSamples < centroids { found.append("patch_samples \(patchSamples) is below centroids \(centroids)") }
        if kmeansIterations < 1 { found.append("kmeans_iterations must be at least 1") }
        if !(ridge > 0) || !ridge.isFinite { found.append("ridge \(ridge) must be a positive number") }
        if !(threshold >= 0) || !(contrastEpsilon > 0) || !(whiteningEpsilon > 0) {
            found.append("threshold must be >= 0 and the epsilons > 0")
        }
        return found
    }
}
