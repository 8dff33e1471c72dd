/// A backend's answer to one request: PNG bytes and what the backend wants recorded about how it made
/// them (the builtin sampler's references, whether a worker used the image embedding, ...).
public struct GeneratedImage: Sendable, Equatable {
    public var png: [UInt8]
    public var width: Int
    public var height: Int
    public var details: [String: String]

    public init(png: [UInt8], width: Int, height: Int, details: [String: String] = [:]) {
        self.png = png
        self.width = width
        self.height = height
        self.details = details
    }
}
