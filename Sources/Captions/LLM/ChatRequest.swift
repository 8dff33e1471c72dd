/// One OpenAI-format chat completion request (`POST URL/chat/completions`), as llama.cpp's server,
/// vLLM, Ollama, LM Studio and TGI accept it. Greedy (temperature 0) and seeded, so a server that
/// honours both gives the same answer again; the on-disk cache makes reruns exact either way.
public struct ChatRequest: Codable, Sendable, Equatable {
    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    public var model: String
    public var messages: [Message]
    public var temperature: Double
    public var seed: Int
    public var maxTokens: Int

    public init(model: String, messages: [Message], temperature: Double = 0, seed: Int, maxTokens: Int = 256) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.seed = seed
        self.maxTokens = maxTokens
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, seed
        case maxTokens = "max_tokens"
    }
}
