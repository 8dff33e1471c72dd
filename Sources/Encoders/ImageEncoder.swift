import Imaging
import OODCore

/// Embeds images into the same space as the paired `TextEncoder`.
public protocol ImageEncoder: AnyObject {
    var identity: ModelIdentity { get }
    /// One L2-normalized vector of `identity.dimension` floats per image, in order.
    func embed(images: [RGBImage]) throws -> [[Float]]
}
