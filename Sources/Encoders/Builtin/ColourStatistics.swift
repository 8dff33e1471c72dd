import Imaging

/// Colour features of a thumbnail, which patch responses (contrast-normalized) cannot see: per
/// quadrant the mean and standard deviation of each channel (0-1), then a bins³ joint RGB histogram,
/// square-rooted (the Hellinger map, so a linear model compares histograms sensibly).
enum ColourStatistics {
    static func featureCount(bins: Int) -> Int { 4 * 6 + bins * bins * bins }

    static func write(_ image: RGBImage, bins: Int, into destination: UnsafeMutablePointer<Float>) {
        let (width, height) = (image.width, image.height)
        image.pixels.withUnsafeBufferPointer { pixels in
            var out = destination
            for quadrantRow in 0..<2 {
                for quadrantColumn in 0..<2 {
                    var sums = [Double](repeating: 0, count: 3)
                    var squares = [Double](repeating: 0, count: 3)
                    var count = 0
                    for y in (quadrantRow * height / 2)..<((quadrantRow + 1) * height / 2) {
                        for x in (quadrantColumn * width / 2)..<((quadrantColumn + 1) * width / 2) {
                            for channel in 0..<3 {
                                let value = Double(pixels[(y * width + x) * 3 + channel]) / 255
                                sums[channel] += value
                                squares[channel] += value * value
                            }
                            count += 1
                        }
                    }
                    let n = Double(max(count, 1))
                    for channel in 0..<3 { out[channel] = Float(sums[channel] / n) }
                    for channel in 0..<3 {
                        let mean = sums[channel] / n
                        out[3 + channel] = Float(max(0, squares[channel] / n - mean * mean).squareRoot())
                    }
                    out += 6
                }
            }
            let cells = bins * bins * bins
            var histogram = [Int](repeating: 0, count: cells)
            for pixel in 0..<(width * height) {
                let r = Int(pixels[pixel * 3]) * bins / 256
                let g = Int(pixels[pixel * 3 + 1]) * bins / 256
                let b = Int(pixels[pixel * 3 + 2]) * bins / 256
                histogram[(r * bins + g) * bins + b] += 1
            }
            let total = Float(max(width * height, 1))
            for cell in 0..<cells { out[cell] = (Float(histogram[cell]) / total).squareRoot() }
        }
    }
}
