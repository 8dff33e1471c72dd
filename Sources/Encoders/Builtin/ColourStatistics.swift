import Imaging

/// Colour features of a thumbnail, which patch responses (contrast-normalized) cannot see: per
/// quadrant the mean and standard deviation of each channel (0-1), then a soft bins³ joint RGB
/// histogram, square-rooted (the Hellinger map, so a linear model compares histograms sensibly).
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
            // Soft binning: each channel value splits between its two nearest bin centres (0, 255/(bins-1),
            // ..., 255) linearly, and a pixel spreads over the 8 surrounding cells. A hard histogram
            // flips a whole count when JPEG noise moves a pixel across a bin edge; this one moves smoothly.
            let cells = bins * bins * bins
            var histogram = [Float](repeating: 0, count: cells)
            let step = Float(max(bins - 1, 1)) / 255
            func split(_ value: UInt8) -> (low: Int, high: Int, upper: Float) {
                let position = Float(value) * step
                let low = min(Int(position), max(bins - 2, 0))
                return (low, min(low + 1, bins - 1), bins > 1 ? position - Float(low) : 0)
            }
            for pixel in 0..<(width * height) {
                let r = split(pixels[pixel * 3])
                let g = split(pixels[pixel * 3 + 1])
                let b = split(pixels[pixel * 3 + 2])
                for (ri, rw) in [(r.low, 1 - r.upper), (r.high, r.upper)] where rw > 0 {
                    for (gi, gw) in [(g.low, 1 - g.upper), (g.high, g.upper)] where gw > 0 {
                        for (bi, bw) in [(b.low, 1 - b.upper), (b.high, b.upper)] where bw > 0 {
                            histogram[(ri * bins + gi) * bins + bi] += rw * gw * bw
                        }
                    }
                }
            }
            let total = Float(max(width * height, 1))
            for cell in 0..<cells { out[cell] = (histogram[cell] / total).squareRoot() }
        }
    }
}
