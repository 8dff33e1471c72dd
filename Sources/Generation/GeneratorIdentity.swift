/// What made an image, recorded in every generated sample's `json` and in the stream header.
public struct GeneratorIdentity: Codable, Sendable, Equatable {
    /// `builtin`, `worker` or `a1111`.
    public var backend: String
    /// The model the backend reports (a checkpoint name, a pipeline class, the builtin recipe).
    public var model: String
    /// Backend facts worth keeping: versions, device, capabilities.
    public var details: [String: String]

    public init(backend: String, model: String, details: [String: String] = [:]) {
        self.backend = backend
        self.model = model
        self.details = details
    }
}
