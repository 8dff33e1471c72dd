import Imaging
import LinearAlgebra

/// Turns square thumbnails into the builtin tower's feature vectors: soft-threshold encoding of every
/// patch against the dictionary (both polarities), sum-pooled over each grid cell and square-rooted,
/// then colour statistics. Each image is encoded on its own, so its features never depend on which
/// other images share its batch.
struct ImageFeatureExtractor {
    let config: BuiltinImageConfig
    let dictionary: PatchDictionary

    /// One row of `config.featureCount` features per thumbnail.
    func features(of thumbnails: [RGBImage]) -> Matrix {
        let result = Matrix(rows: thumbnails.count, columns: config.featureCount)
        let output = SharedRows(base: result.base, columns: result.columns)
        let grid = PatchGrid(config)
        let projection = dictionary.projection
        let colourOffset = config.featureCount - config.colourFeatureCount
        // Blocks of images on separate cores, each image's GEMM on one thread: its features are the
        // same bits whatever the core count or batch.
        BatchSplit.forEachRowBlock(rows: thumbnails.count, blockSize: 4) { block in
            let patches = Matrix(rows: grid.side * grid.side, columns: grid.dimension)
            let responses = Matrix(rows: patches.rows, columns: projection.rows)
            for index in block {
                grid.extractAll(thumbnails[index], into: patches)
                Matrix.gemm(transposeA: false, transposeB: true, m: patches.rows, n: projection.rows, k: grid.dimension,
                            a: patches.base, lda: grid.dimension, b: projection.base, ldb: grid.dimension,
                            c: responses.base, ldc: responses.columns)
                encode(responses, into: output.pointer(row: index))
                ColourStatistics.write(thumbnails[index], bins: config.colourBins, into: output.pointer(row: index) + colourOffset)
            }
        }
        return result
    }

    /// Pools max(0, r - α) and max(0, -r - α) of every response over each cell of each grid.
    private func encode(_ responses: Matrix, into destination: UnsafeMutablePointer<Float>) {
        let side = config.responseSide
        let clusters = responses.columns
        let alpha = config.threshold
        let offset = dictionary.offset
        // Encode once per position, then sum the positions of each cell.
        let encoded = UnsafeMutablePointer<Float>.allocate(capacity: responses.rows * 2 * clusters)
        defer { encoded.deallocate() }
        for position in 0..<responses.rows {
            let response = responses.pointer(row: position)
            let out = encoded + position * 2 * clusters
            for cluster in 0..<clusters {
                let value = response[cluster] + offset[cluster]
                out[cluster] = max(0, value - alpha)
                out[clusters + cluster] = max(0, -value - alpha)
            }
        }
        var cell = destination
        for grid in config.poolingGrids {
            for cellRow in 0..<grid {
                for cellColumn in 0..<grid {
                    cell.update(repeating: 0, count: 2 * clusters)
                    for row in (cellRow * side / grid)..<((cellRow + 1) * side / grid) {
                        for column in (cellColumn * side / grid)..<((cellColumn + 1) * side / grid) {
                            let source = encoded + (row * side + column) * 2 * clusters
                            for index in 0..<(2 * clusters) { cell[index] += source[index] }
                        }
                    }
                    for index in 0..<(2 * clusters) { cell[index] = cell[index].squareRoot() }
                    cell += 2 * clusters
                }
            }
        }
    }

    // Each part writes only its own rows of the result, and BatchSplit.map returns after all parts.
    private struct SharedRows: @unchecked Sendable {
        let base: UnsafeMutablePointer<Float>
        let columns: Int
        func pointer(row: Int) -> UnsafeMutablePointer<Float> { base + row * columns }
    }
}
