/// The result of decoding: the pixels plus what the source was.
public struct DecodedImage: Sendable, Equatable {
    /// RGB pixels, alpha composited on white, EXIF orientation applied, downscaled if asked.
    public var image: RGBImage
    public var format: ImageFormat
    /// Size of the original image after EXIF orientation, before any downscaling.
    public var width: Int
    public var height: Int
    /// Whether the source had an alpha channel or a transparent colour.
    public var hasAlpha: Bool

    public init(image: RGBImage, format: ImageFormat, width: Int, height: Int, hasAlpha: Bool) {
        self.image = image
        self.format = format
        self.width = width
        self.height = height
        self.hasAlpha = hasAlpha
    }
}
