/// One request line to a worker.
struct WorkerRequest: Encodable {
    var id: String
    var prompt: String
    var negativePrompt: String
    var seed: UInt32
    var steps: Int
    var guidance: Double
    var width: Int
    var height: Int
    var imageEmbeds: [Float]?

    enum CodingKeys: String, CodingKey {
        case id, prompt, seed, steps, guidance, width, height
        case negativePrompt = "negative_prompt", imageEmbeds = "image_embeds"
    }
}

/// One answer line from a worker: `png` (base64) or `error`.
struct WorkerResponse: Decodable {
    var id: String?
    var png: String?
    var error: String?
}
