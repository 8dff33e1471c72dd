import CCodecs

/// Encodes RGB images as PNG (8-bit RGB, non-interlaced, deterministic output).
public enum PNGEncoder {
    /// `compressionLevel` is zlib's 0...9; 6 balances size and speed.
    public static func encode(_ image: RGBImage, compressionLevel: Int = 6) throws(ImageError) -> [UInt8] {
        var message = [CChar](repeating: 0, count: Int(CCODECS_MESSAGE_SIZE))
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            ccodecs_png_encode_rgb(pixels.baseAddress, UInt32(image.width), UInt32(image.height),
                                   Int32(min(max(compressionLevel, 0), 9)), &output, &size, &message)
        }
        guard status == 0, let output else {
            throw .unsupported(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                                      as: UTF8.self))
        }
        defer { ccodecs_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}
