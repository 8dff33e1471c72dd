import Imaging

/// One ID image the builtin sampler composes from: a square crop at the working size, its embedding
/// (unit length) and where it came from.
public struct ReferenceImage: Sendable {
    public var key: String
    public var classIndex: Int?
    /// Interleaved RGB8, `side` x `side`.
    public var pixels: [UInt8]
    public var embedding: [Float]

    public init(key: String, classIndex: Int?, pixels: [UInt8], embedding: [Float]) {
        self.key = key
        self.classIndex = classIndex
        self.pixels = pixels
        self.embedding = embedding
    }

    /// The centred square of `image`, resized to `side` (PIL-exact bicubic). Diffusion models train on
    /// square crops for the same reason: squashing would distort every shape the sampler copies.
    public static func square(_ image: RGBImage, side: Int) -> RGBImage {
        let crop = min(image.width, image.height)
        var square = image
        if image.width != image.height {
            let x0 = (image.width - crop) / 2, y0 = (image.height - crop) / 2
            var pixels = [UInt8](repeating: 0, count: crop * crop * 3)
            for y in 0..<crop {
                let from = ((y + y0) * image.width + x0) * 3
                pixels.replaceSubrange((y * crop * 3)..<((y + 1) * crop * 3), with: image.pixels[from..<(from + crop * 3)])
            }
            square = RGBImage(width: crop, height: crop, pixels: pixels) ?? image
        }
        return square.width == side ? square : Resampler.resize(square, width: side, height: side)
    }
}
