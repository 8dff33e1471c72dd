import Workers

/// The first line a worker writes: who it is and what it can do.
struct WorkerHandshake: WorkerHandshaking, Codable, Sendable, Equatable {
    struct Capabilities: Codable, Sendable, Equatable {
        var imageEmbeds: Bool?
        var imageEmbedsDim: Int?
        var maxBatch: Int?
        var maxSize: Int?

        enum CodingKeys: String, CodingKey {
            case imageEmbeds = "image_embeds", imageEmbedsDim = "image_embeds_dim", maxBatch = "max_batch", maxSize = "max_size"
        }
    }

    static let protocolName = "oodsynth-worker"
    static let protocolVersion = 1

    var `protocol`: String
    var version: Int
    var backend: String?
    var pipeline: String?
    var model: String?
    var device: String?
    var dtype: String?
    var diffusersVersion: String?
    var capabilities: Capabilities?

    enum CodingKeys: String, CodingKey {
        case `protocol`, version, backend, pipeline, model, device, dtype, capabilities
        case diffusersVersion = "diffusers_version"
    }

    var identity: GeneratorIdentity {
        var details: [String: String] = [:]
        details["backend"] = backend
        details["pipeline"] = pipeline
        details["device"] = device
        details["dtype"] = dtype
        details["diffusers"] = diffusersVersion
        if let dim = capabilities?.imageEmbedsDim, capabilities?.imageEmbeds == true { details["image-embeds-dim"] = String(dim) }
        return GeneratorIdentity(backend: "worker", model: model ?? pipeline ?? "unknown", details: details)
    }
}
