import CCodecs

/// Antialiased bicubic resizing with PIL's filter for `Image.resize(..., BICUBIC)`: Keys cubic
/// with a = -0.5 whose support widens by the scale factor when reducing, fixed-point weights with
/// 22 fractional bits, horizontal pass first with an 8-bit intermediate. Same order as PIL on
/// purpose: filtering rows first would be faster but clips overshoot at a different stage,
/// which moves sharp clip-art edges by up to ~10 levels.
public enum Resampler {
    /// Resizes the whole image to `width` x `height` (each at least 1).
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        resize(image, width: width, height: height,
               sourceWidth: Double(image.width), sourceHeight: Double(image.height))
    }

    /// Resizes the region (0, 0, sourceWidth, sourceHeight) of `image`, which may be fractional
    /// (a box-reduced image covers its source up to a partial last box).
    static func resize(_ image: RGBImage, width: Int, height: Int,
                       sourceWidth: Double, sourceHeight: Double) -> RGBImage {
        let width = max(width, 1)
        let height = max(height, 1)
        let needHorizontal = width != image.width || sourceWidth != Double(image.width)
        let needVertical = height != image.height || sourceHeight != Double(image.height)
        switch (needHorizontal, needVertical) {
        case (false, false):
            return image
        case (true, false):
            let horizontal = Kernel(inSize: image.width, extent: sourceWidth, outSize: width)
            return horizontalPass(image, kernel: horizontal, rows: 0..<image.height)
        case (false, true):
            let vertical = Kernel(inSize: image.height, extent: sourceHeight, outSize: height)
            return verticalPass(image, kernel: vertical, rowOffset: 0)
        case (true, true):
            let horizontal = Kernel(inSize: image.width, extent: sourceWidth, outSize: width)
            let vertical = Kernel(inSize: image.height, extent: sourceHeight, outSize: height)
            // Only the rows the vertical pass reads are worth filtering.
            let first = vertical.firstInput
            let columns = horizontalPass(image, kernel: horizontal, rows: first..<vertical.lastInput)
            return verticalPass(columns, kernel: vertical, rowOffset: first)
        }
    }

    /// Whether resizing an image `imageWidth` wide, covering `sourceWidth` of it, to `width` needs
    /// the horizontal pass.
    static func needsHorizontalPass(imageWidth: Int, sourceWidth: Double, width: Int) -> Bool {
        max(width, 1) != imageWidth || sourceWidth != Double(imageWidth)
    }

    /// The same resize as `resize(_:width:height:sourceWidth:sourceHeight:)`, bit for bit, of the
    /// image whose transpose is `transposed` (its rows are the source's columns). The horizontal
    /// pass then weights whole contiguous rows, like the vertical pass, instead of gathering a few
    /// pixels per output pixel; its small 8-bit result is transposed back for the vertical pass.
    static func resize(transposed: RGBImage, width: Int, height: Int,
                       sourceWidth: Double, sourceHeight: Double) -> RGBImage {
        let width = max(width, 1)
        let height = max(height, 1)
        let imageWidth = transposed.height
        let imageHeight = transposed.width
        guard needsHorizontalPass(imageWidth: imageWidth, sourceWidth: sourceWidth, width: width) else {
            return resize(transpose(transposed), width: width, height: height,
                          sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        }
        let needVertical = height != imageHeight || sourceHeight != Double(imageHeight)
        let horizontal = Kernel(inSize: imageWidth, extent: sourceWidth, outSize: width)
        let vertical = needVertical ? Kernel(inSize: imageHeight, extent: sourceHeight, outSize: height) : nil
        // Only the rows the vertical pass reads are worth filtering.
        let rows = vertical.map { $0.firstInput..<$0.lastInput } ?? 0..<imageHeight
        let stride = imageHeight * 3
        let length = rows.count * 3
        var scratch = [Int32](repeating: 0, count: length)
        // Row x of this is output column x over the filtered rows.
        let columnsTransposed = RGBImage(width: rows.count, height: width) { out in
            transposed.pixels.withUnsafeBufferPointer { input in
                horizontal.weights.withUnsafeBufferPointer { weights in
                    scratch.withUnsafeMutableBufferPointer { acc in
                        for x in 0..<width {
                            let start = Int(horizontal.starts[x])
                            ccodecs_resample_vertical(
                                input.baseAddress! + start * stride + rows.lowerBound * 3, stride,
                                weights.baseAddress! + x * horizontal.size, horizontal.counts[x], length,
                                acc.baseAddress!, out.baseAddress! + x * length)
                        }
                    }
                }
            }
        }
        let columns = transpose(columnsTransposed)
        guard let vertical else { return columns }
        return verticalPass(columns, kernel: vertical, rowOffset: rows.lowerBound)
    }

    /// The image with rows and columns swapped.
    static func transpose(_ image: RGBImage) -> RGBImage {
        RGBImage(width: image.height, height: image.width) { out in
            image.pixels.withUnsafeBufferPointer { input in
                ccodecs_transpose_rgb(input.baseAddress!, image.width, image.height, out.baseAddress!)
            }
        }
    }

    /// Filter weights for each output coordinate, precomputed once per axis.
    private struct Kernel {
        let size: Int            // weights per output coordinate (padded)
        var starts: [Int32]
        var counts: [Int32]
        var weights: [Int32]
        /// Each weight four times: one per RGB(X) lane of the SIMD horizontal kernel.
        var weights4: [Int32]

        var firstInput: Int { Int(starts.first ?? 0) }
        var lastInput: Int { Int(zip(starts, counts).map { $0 + $1 }.max() ?? 0) }

        init(inSize: Int, extent: Double, outSize: Int) {
            let scale = extent / Double(outSize)
            let filterScale = max(scale, 1.0)
            let support = 2.0 * filterScale
            size = Int(support.rounded(.up)) * 2 + 1
            starts = [Int32](repeating: 0, count: outSize)
            counts = [Int32](repeating: 0, count: outSize)
            weights = [Int32](repeating: 0, count: outSize * size)
            var raw = [Double](repeating: 0, count: size)
            let inverse = 1.0 / filterScale
            for out in 0..<outSize {
                let center = (Double(out) + 0.5) * scale
                // Truncation toward zero, as in PIL, decides which pixels take part.
                let start = max(Int(center - support + 0.5), 0)
                let count = max(min(Int(center + support + 0.5), inSize) - start, 0)
                var total = 0.0
                for index in 0..<count {
                    let weight = Self.cubic((Double(index + start) - center + 0.5) * inverse)
                    raw[index] = weight
                    total += weight
                }
                for index in 0..<count {
                    let normalized = total != 0 ? raw[index] / total : raw[index]
                    let fixed = normalized * Double(1 << 22)
                    weights[out * size + index] = Int32(fixed < 0 ? fixed - 0.5 : fixed + 0.5)
                }
                starts[out] = Int32(start)
                counts[out] = Int32(count)
            }
            weights4 = [Int32](repeating: 0, count: weights.count * 4)
            for (index, weight) in weights.enumerated() {
                for lane in 0..<4 { weights4[index * 4 + lane] = weight }
            }
        }

        private static func cubic(_ value: Double) -> Double {
            let a = -0.5
            let x = abs(value)
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }

    private static func horizontalPass(_ image: RGBImage, kernel: Kernel, rows: Range<Int>) -> RGBImage {
        let outWidth = kernel.starts.count
        let inStride = image.width * 3
        return RGBImage(width: outWidth, height: rows.count) { out in
            image.pixels.withUnsafeBufferPointer { input in
                kernel.weights.withUnsafeBufferPointer { weights in
                    kernel.weights4.withUnsafeBufferPointer { weights4 in
                    kernel.starts.withUnsafeBufferPointer { starts in
                        kernel.counts.withUnsafeBufferPointer { counts in
                            for (index, y) in rows.enumerated() {
                                ccodecs_resample_horizontal(
                                    input.baseAddress! + y * inStride, image.width, outWidth, starts.baseAddress!,
                                    counts.baseAddress!, weights.baseAddress!, weights4.baseAddress!,
                                    Int32(kernel.size),
                                    out.baseAddress! + index * outWidth * 3)
                            }
                        }
                    }
                    }
                }
            }
        }
    }

    /// Whole weighted rows at a time, so memory is read sequentially and the loop vectorizes.
    private static func verticalPass(_ image: RGBImage, kernel: Kernel, rowOffset: Int) -> RGBImage {
        let outHeight = kernel.starts.count
        let stride = image.width * 3
        var sums = [Int32](repeating: 0, count: stride)
        return RGBImage(width: image.width, height: outHeight) { out in
            image.pixels.withUnsafeBufferPointer { input in
                kernel.weights.withUnsafeBufferPointer { weights in
                    sums.withUnsafeMutableBufferPointer { acc in
                        for y in 0..<outHeight {
                            let first = Int(kernel.starts[y]) - rowOffset
                            ccodecs_resample_vertical(
                                input.baseAddress! + first * stride, stride,
                                weights.baseAddress! + y * kernel.size, kernel.counts[y], stride,
                                acc.baseAddress!, out.baseAddress! + y * stride)
                        }
                    }
                }
            }
        }
    }
}
