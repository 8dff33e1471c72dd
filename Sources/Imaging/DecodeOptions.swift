/// How an image is decoded.
public struct DecodeOptions: Sendable, Equatable {
    /// The longer side of the result is at most this (never upscaled); nil keeps the full size.
    public var maxSide: Int?
    /// Images whose header declares more pixels than this are rejected before any large allocation.
    public var maxPixels: Int
    /// What becomes of transparent pixels.
    public var alpha: AlphaMode

    public init(maxSide: Int? = nil, maxPixels: Int = 1_000_000_000, alpha: AlphaMode = .compositeWhite) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
        self.alpha = alpha
    }
}
