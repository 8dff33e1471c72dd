import Imaging

extension RGBImage {
    /// The image flipped left to right.
    func mirrored() -> RGBImage {
        var pixels = self.pixels
        for y in 0..<height {
            for x in 0..<(width / 2) {
                let left = (y * width + x) * 3
                let right = (y * width + width - 1 - x) * 3
                for channel in 0..<3 { pixels.swapAt(left + channel, right + channel) }
            }
        }
        // Same size and pixel count as self, so the initializer cannot fail.
        return RGBImage(width: width, height: height, pixels: pixels) ?? self
    }
}
