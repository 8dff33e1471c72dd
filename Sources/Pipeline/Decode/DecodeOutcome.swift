/// What decoding one image member gave: the sample's fields (its key is assigned in emit order), or
/// why it was skipped.
enum DecodeOutcome: Sendable {
    case sample(fields: [String: [UInt8]])
    case skipped(path: String, reason: String, detail: String)
}
