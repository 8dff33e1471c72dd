/// Where a caption's new concept came from: WordNet's inventory, or a chat model's answer about one ID
/// class (which model, which kind of question, which class). Written into each caption's `json`, so a
/// kept image can be traced back to the proposal that made it.
public enum CaptionSource: Sendable, Hashable, Codable {
    case wordnet
    case llm(model: String, kind: LLMConceptKind, className: String)

    enum CodingKeys: String, CodingKey { case name, model, kind, className = "class" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .wordnet:
            try container.encode("wordnet", forKey: .name)
        case .llm(let model, let kind, let className):
            try container.encode("llm", forKey: .name)
            try container.encode(model, forKey: .model)
            try container.encode(kind, forKey: .kind)
            try container.encode(className, forKey: .className)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .name) {
        case "wordnet":
            self = .wordnet
        case "llm":
            self = .llm(model: try container.decode(String.self, forKey: .model), kind: try container.decode(LLMConceptKind.self, forKey: .kind),
                        className: try container.decode(String.self, forKey: .className))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .name, in: container, debugDescription: "unknown caption source \(other)")
        }
    }
}
