import Imaging
import LinearAlgebra

/// Cuts a square thumbnail into every `patchSize` x `patchSize` RGB patch (stride 1) and normalizes
/// each patch's brightness and contrast, the first step of Coates & Ng's pipeline.
struct PatchGrid {
    let imageSize: Int
    let patchSize: Int
    let contrastEpsilon: Float

    init(_ config: BuiltinImageConfig) {
        imageSize = config.imageSize
        patchSize = config.patchSize
        contrastEpsilon = config.contrastEpsilon
    }

    var side: Int { imageSize - patchSize + 1 }
    var dimension: Int { patchSize * patchSize * 3 }

    /// Writes the patch at (`row`, `column`) of `image` (an `imageSize`-square thumbnail), laid out
    /// row by row, pixel by pixel, R G B, contrast-normalized, into `destination`.
    func extract(_ image: RGBImage, row: Int, column: Int, into destination: UnsafeMutablePointer<Float>) {
        image.pixels.withUnsafeBufferPointer { pixels in
            var index = 0
            for dy in 0..<patchSize {
                let start = ((row + dy) * imageSize + column) * 3
                for offset in 0..<(patchSize * 3) {
                    destination[index] = Float(pixels[start + offset])
                    index += 1
                }
            }
        }
        normalize(destination)
    }

    /// All `side²` patches of `image` as the rows of `patches`.
    func extractAll(_ image: RGBImage, into patches: Matrix) {
        for row in 0..<side {
            for column in 0..<side {
                extract(image, row: row, column: column, into: patches.pointer(row: row * side + column))
            }
        }
    }

    /// Subtracts the patch mean and divides by sqrt(variance + epsilon).
    private func normalize(_ patch: UnsafeMutablePointer<Float>) {
        let count = dimension
        var sum: Float = 0
        for index in 0..<count { sum += patch[index] }
        let mean = sum / Float(count)
        var squares: Float = 0
        for index in 0..<count {
            let centred = patch[index] - mean
            squares += centred * centred
        }
        let scale = 1 / (squares / Float(count) + contrastEpsilon).squareRoot()
        for index in 0..<count { patch[index] = (patch[index] - mean) * scale }
    }
}
