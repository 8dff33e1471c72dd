/// Decodes PNG and JPEG bytes to RGB, downscaling while decoding when asked to.
public enum ImageDecoder {
    /// The box reduction stops while at least this many times the target size remains,
    /// leaving the final antialiased resize enough pixels to work with (as PIL's `reducing_gap`).
    public static let reducingGap = 2.0

    public static func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions())
        throws(ImageError) -> DecodedImage {
        guard let format = ImageFormat(sniffing: bytes) else { throw .notAnImage }
        switch format {
        case .png: return try PNGDecoder.decode(bytes, options: options)
        case .jpeg: return try JPEGDecoder.decode(bytes, options: options)
        }
    }

    /// Size of the result for an image of `width` x `height`: scaled so the longer side is at
    /// most `maxSide`, each side rounded and at least 1; never larger than the original.
    public static func targetSize(width: Int, height: Int, maxSide: Int?) -> (width: Int, height: Int) {
        guard let maxSide, width > 0, height > 0 else { return (width, height) }
        let scale = Double(max(maxSide, 1)) / Double(max(width, height))
        guard scale < 1 else { return (width, height) }
        return (max(Int((Double(width) * scale).rounded()), 1),
                max(Int((Double(height) * scale).rounded()), 1))
    }

    /// Throws when the declared size exceeds the caller's pixel budget.
    static func checkPixels(width: Int, height: Int, limit: Int) throws(ImageError) {
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || product > limit {
            throw .tooManyPixels(width: width, height: height, limit: limit)
        }
    }

    /// Resizes a reduced image to the exact target, covering the reducer's source extent.
    static func finish(_ reducer: inout BoxReducer, width: Int, height: Int) -> RGBImage {
        let reduced = reducer.finish()
        let extent = reducer.sourceExtent
        if reducer.transposed {
            return Resampler.resize(transposed: reduced, width: width, height: height,
                                    sourceWidth: extent.width, sourceHeight: extent.height)
        }
        return Resampler.resize(reduced, width: width, height: height,
                                sourceWidth: extent.width, sourceHeight: extent.height)
    }
}
