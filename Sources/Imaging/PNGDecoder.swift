import CCodecs

/// PNG decoding through libpng, row by row into a `BoxReducer`.
enum PNGDecoder {
    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws(ImageError) -> DecodedImage {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ImageError) -> DecodedImage in
            guard let reader = ccodecs_png_reader_create(buffer.baseAddress, buffer.count) else {
                throw .outOfMemory
            }
            defer { ccodecs_png_reader_destroy(reader) }
            return try decode(reader, options: options)
        }
    }

    private static func failure(_ reader: OpaquePointer) -> ImageError {
        .corrupt(String(cString: ccodecs_png_reader_message(reader)))
    }

    private static func decode(_ reader: OpaquePointer, options: DecodeOptions) throws(ImageError) -> DecodedImage {
        var header = ccodecs_png_header()
        guard ccodecs_png_read_header(reader, &header) == 0 else { throw failure(reader) }
        let width = Int(header.width)
        let height = Int(header.height)
        // Checked before libpng allocates its row buffers and before any pixel buffer exists.
        try ImageDecoder.checkPixels(width: width, height: height, limit: options.maxPixels)
        var channels: Int32 = 0
        guard ccodecs_png_start(reader, &channels) == 0 else { throw failure(reader) }

        let target = ImageDecoder.targetSize(width: width, height: height, maxSide: options.maxSide)
        let interlaced = header.interlaced != 0
        var reducer = BoxReducer(sourceWidth: width, sourceHeight: height,
                                 targetWidth: target.width, targetHeight: target.height,
                                 gap: ImageDecoder.reducingGap, sparse: interlaced)
        var row = [UInt8](repeating: 0, count: width * Int(channels))
        // Other alpha modes than white make the RGBA row opaque first; the reducer then copies it.
        let flatten = channels == 4 ? options.alpha.kernelMode : 0
        try row.withUnsafeMutableBufferPointer { (row) throws(ImageError) in
            let pointer = row.baseAddress!
            if !interlaced {
                for y in 0..<height {
                    guard ccodecs_png_read_row(reader, pointer) == 0 else { throw failure(reader) }
                    if flatten != 0 { ccodecs_flatten_alpha_row(pointer, width, flatten) }
                    reducer.addRow(pointer, channels: Int(channels), y: y)
                }
                return
            }
            // libpng skips empty passes, and so does this loop.
            for pass in Int32(0)..<7 {
                let geometry = ccodecs_png_pass_geometry(pass, header.width, header.height)
                guard geometry.width > 0, geometry.height > 0 else { continue }
                for passY in 0..<Int(geometry.height) {
                    guard ccodecs_png_read_row(reader, pointer) == 0 else { throw failure(reader) }
                    if flatten != 0 { ccodecs_flatten_alpha_row(pointer, Int(geometry.width), flatten) }
                    let y = Int(geometry.y_start) + passY * Int(geometry.y_step)
                    reducer.addPassRow(pointer, channels: Int(channels), count: Int(geometry.width), y: y,
                                       xStart: Int(geometry.x_start), xStep: Int(geometry.x_step))
                }
            }
        }
        let image = ImageDecoder.finish(&reducer, width: target.width, height: target.height)
        return DecodedImage(image: image, format: .png, width: width, height: height,
                            hasAlpha: header.has_alpha != 0)
    }
}
