import CCodecs

/// Encodes RGB images as baseline JPEG (4:2:0, standard Huffman tables, deterministic output).
public enum JPEGEncoder {
    /// `quality` is libjpeg's 1...100 scale.
    public static func encode(_ image: RGBImage, quality: Int = 90) throws(ImageError) -> [UInt8] {
        var message = [CChar](repeating: 0, count: Int(CCODECS_MESSAGE_SIZE))
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            ccodecs_jpeg_encode_rgb(pixels.baseAddress, UInt32(image.width), UInt32(image.height),
                                    Int32(min(max(quality, 1), 100)), &output, &size, &message)
        }
        guard status == 0, let output else {
            throw .unsupported(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                                      as: UTF8.self))
        }
        defer { ccodecs_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}
