import CCodecs

/// JPEG decoding through libjpeg-turbo: DCT scaling when the target is much smaller, then
/// batches of scanlines into a `BoxReducer`, then EXIF orientation on the small result.
enum JPEGDecoder {
    /// Scanlines read per call into the reusable batch buffer.
    private static let batchRows = 16

    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws(ImageError) -> DecodedImage {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ImageError) -> DecodedImage in
            guard let reader = ccodecs_jpeg_reader_create(buffer.baseAddress, buffer.count) else {
                throw .outOfMemory
            }
            defer { ccodecs_jpeg_reader_destroy(reader) }
            return try decode(reader, options: options)
        }
    }

    private static func failure(_ reader: OpaquePointer) -> ImageError {
        .corrupt(String(cString: ccodecs_jpeg_reader_message(reader)))
    }

    private static func decode(_ reader: OpaquePointer, options: DecodeOptions) throws(ImageError) -> DecodedImage {
        var header = ccodecs_jpeg_header()
        guard ccodecs_jpeg_read_header(reader, &header) == 0 else { throw failure(reader) }
        let width = Int(header.width)
        let height = Int(header.height)
        try ImageDecoder.checkPixels(width: width, height: height, limit: options.maxPixels)

        var exifSize = 0
        let orientation: EXIFOrientation
        if let exif = ccodecs_jpeg_exif(reader, &exifSize) {
            orientation = EXIFOrientation(tiff: UnsafeBufferPointer(start: exif, count: exifSize))
        } else {
            orientation = .up
        }
        // The target is defined on the displayed (oriented) image; decoding works unrotated.
        let shown = orientation.swapsAxes ? (width: height, height: width) : (width: width, height: height)
        let shownTarget = ImageDecoder.targetSize(width: shown.width, height: shown.height,
                                                  maxSide: options.maxSide)
        let target = orientation.swapsAxes
            ? (width: shownTarget.height, height: shownTarget.width) : shownTarget

        let scale = dctScale(width: width, height: height, targetWidth: target.width,
                             targetHeight: target.height)
        var outWidth: UInt32 = 0
        var outHeight: UInt32 = 0
        guard ccodecs_jpeg_start(reader, Int32(scale), &outWidth, &outHeight) == 0 else {
            throw failure(reader)
        }
        let scaledWidth = Int(outWidth)
        let scaledHeight = Int(outHeight)
        var reducer = BoxReducer(sourceWidth: scaledWidth, sourceHeight: scaledHeight,
                                 targetWidth: target.width, targetHeight: target.height,
                                 gap: ImageDecoder.reducingGap, sparse: false)
        let stride = scaledWidth * 3
        var batch = [UInt8](repeating: 0, count: stride * batchRows)
        try batch.withUnsafeMutableBufferPointer { (batch) throws(ImageError) in
            var y = 0
            while y < scaledHeight {
                var got: UInt32 = 0
                guard ccodecs_jpeg_read_rows(reader, batch.baseAddress!, UInt32(batchRows), &got) == 0 else {
                    throw failure(reader)
                }
                guard got > 0 else { throw .corrupt("decoder stopped before the last row") }
                for index in 0..<Int(got) {
                    reducer.addRow(batch.baseAddress! + index * stride, channels: 3, y: y)
                    y += 1
                }
            }
        }
        let image = ImageDecoder.finish(&reducer, width: target.width, height: target.height)
        return DecodedImage(image: orientation.apply(to: image), format: .jpeg,
                            width: shown.width, height: shown.height, hasAlpha: false)
    }

    /// The smallest libjpeg scale n/8 whose output still leaves `reducingGap` times the target
    /// (the same rule as PIL's `draft`), or 8/8 when no reduction is wanted. Only 1/8, 2/8 and 4/8:
    /// libjpeg-turbo has SIMD inverse DCTs for those alone, and the odd scales (3/8, 5/8, ...) cost
    /// more than the larger image they save; the box reducer removes the extra pixels cheaply.
    static func dctScale(width: Int, height: Int, targetWidth: Int, targetHeight: Int) -> Int {
        guard targetWidth < width || targetHeight < height else { return 8 }
        let neededWidth = Double(targetWidth) * ImageDecoder.reducingGap
        let neededHeight = Double(targetHeight) * ImageDecoder.reducingGap
        for scale in [1, 2, 4] {
            let scaledWidth = (width * scale + 7) / 8
            let scaledHeight = (height * scale + 7) / 8
            if Double(scaledWidth) >= neededWidth && Double(scaledHeight) >= neededHeight {
                return scale
            }
        }
        return 8
    }
}
