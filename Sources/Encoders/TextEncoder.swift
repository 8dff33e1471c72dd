import OODCore

/// Embeds captions into a model's joint space. Stages see only this, not which model runs.
public protocol TextEncoder: AnyObject {
    var identity: ModelIdentity { get }
    /// One L2-normalized vector of `identity.dimension` floats per text, in order.
    func embed(texts: [String]) throws -> [[Float]]
}
