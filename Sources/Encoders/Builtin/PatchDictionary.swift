import Imaging
import LinearAlgebra
import OODCore

/// What the builtin tower learns from the ID images without labels: ZCA whitening of normalized
/// patches and a dictionary of patch centroids by spherical k-means, folded at load time into one
/// projection so encoding an image is a single GEMM.
public struct PatchDictionary {
    /// Mean of the normalized patches (`dimension`).
    public let mean: [Float]
    /// The symmetric ZCA matrix (`dimension x dimension`).
    public let whitening: Matrix
    /// Unit-length centroids in whitened space (`centroids x dimension`).
    public let centroids: Matrix
    /// centroids · whitening: responses = patches · projectionᵀ + offset.
    let projection: Matrix
    /// -(projection · mean).
    let offset: [Float]

    public init(mean: [Float], whitening: Matrix, centroids: Matrix) throws(LinearAlgebraError) {
        let dimension = mean.count
        guard whitening.rows == dimension, whitening.columns == dimension, centroids.columns == dimension, centroids.rows > 0 else {
            throw .shapeMismatch("patch dictionary: mean \(dimension), whitening \(whitening.shape), centroids \(centroids.shape)")
        }
        self.mean = mean
        self.whitening = whitening
        self.centroids = centroids
        let projection = Matrix(rows: centroids.rows, columns: dimension)
        try projection.assign(centroids, times: whitening)
        self.projection = projection
        offset = (0..<centroids.rows).map { row in
            var sum: Float = 0
            for column in 0..<dimension { sum -= projection[row, column] * mean[column] }
            return sum
        }
    }

    /// Learns whitening and centroids from patches drawn at random positions of `thumbnails`.
    static func learn(
        thumbnails: [RGBImage], config: BuiltinImageConfig, seed: UInt64, progress: (String) -> Void
    ) throws(LinearAlgebraError) -> PatchDictionary {
        let grid = PatchGrid(config)
        let dimension = grid.dimension
        var random = SeededGenerator(seed: seed, key: "patches")
        let count = config.patchSamples
        let patches = Matrix(rows: count, columns: dimension)
        for index in 0..<count {
            let image = random.nextIndex(below: thumbnails.count)
            let row = random.nextIndex(below: grid.side)
            let column = random.nextIndex(below: grid.side)
            grid.extract(thumbnails[image], row: row, column: column, into: patches.pointer(row: index))
        }

        let (mean, zca) = try whiteningTransform(patches, epsilon: config.whiteningEpsilon)
        let whitened = Matrix(rows: count, columns: dimension)
        for row in 0..<count {
            let source = patches.pointer(row: row)
            for column in 0..<dimension { source[column] -= mean[column] }
        }
        try whitened.assign(patches, times: zca)
        progress("fit: whitened \(count) patches; k-means with \(config.centroids) centroids")
        let centroids = try SphericalKMeans.fit(
            whitened, initial: random.sample(config.centroids, from: whitened.rows), iterations: config.kmeansIterations
        ) { progress("fit: k-means iteration \($0)/\(config.kmeansIterations)") }
        return try PatchDictionary(mean: mean, whitening: zca, centroids: centroids)
    }

    /// Mean and ZCA matrix V·diag(1/sqrt(λ + ε))·Vᵀ of the rows of `patches`, computed in double.
    private static func whiteningTransform(_ patches: Matrix, epsilon: Double) throws(LinearAlgebraError) -> ([Float], Matrix) {
        let (rows, dimension) = (patches.rows, patches.columns)
        var mean = [Double](repeating: 0, count: dimension)
        for row in 0..<rows {
            let source = patches.pointer(row: row)
            for column in 0..<dimension { mean[column] += Double(source[column]) }
        }
        for column in 0..<dimension { mean[column] /= Double(rows) }
        var centred = [Double](repeating: 0, count: rows * dimension)
        for row in 0..<rows {
            let source = patches.pointer(row: row)
            for column in 0..<dimension { centred[row * dimension + column] = Double(source[column]) - mean[column] }
        }
        var covariance = try LAPACK.product(centred, centred, m: dimension, n: dimension, k: rows, transposeA: true)
        for index in covariance.indices { covariance[index] /= Double(max(rows - 1, 1)) }
        let (values, vectors) = try LAPACK.symmetricEigen(covariance, n: dimension)
        // vectors holds eigenvector j as row j: ZCA = Σ_j v_j v_jᵀ / sqrt(λ_j + ε).
        var scaled = vectors
        for j in 0..<dimension {
            let factor = 1 / (max(values[j], 0) + epsilon).squareRoot()
            for column in 0..<dimension { scaled[j * dimension + column] *= factor }
        }
        let zca = try LAPACK.product(vectors, scaled, m: dimension, n: dimension, k: dimension, transposeA: true)
        return (mean.map { Float($0) }, try Matrix(rows: dimension, columns: dimension, values: zca.map { Float($0) }))
    }
}
