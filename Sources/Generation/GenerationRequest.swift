/// One image to make. Every backend gets the same fields; each uses what it can (the builtin sampler
/// has no text encoder and steers by the embeddings; diffusion backends draw the prompt).
public struct GenerationRequest: Sendable, Equatable {
    /// The sample key; responses are matched by it.
    public var id: String
    public var prompt: String
    public var negativePrompt: String
    /// Below 2^32, so every backend (JSON numbers, torch generators, A1111) takes it unchanged.
    public var seed: UInt32
    public var steps: Int
    public var guidance: Double
    public var width: Int
    public var height: Int
    /// The gap embedding: sent to backends that condition on image embeddings (unCLIP, IP-Adapter).
    public var imageEmbedding: [Float]?
    /// The caption's embedding in the same space, when the stream has it.
    public var textEmbedding: [Float]?

    public init(id: String, prompt: String, negativePrompt: String = "", seed: UInt32, steps: Int, guidance: Double,
                width: Int, height: Int, imageEmbedding: [Float]? = nil, textEmbedding: [Float]? = nil) {
        self.id = id
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.seed = seed
        self.steps = steps
        self.guidance = guidance
        self.width = width
        self.height = height
        self.imageEmbedding = imageEmbedding
        self.textEmbedding = textEmbedding
    }
}
