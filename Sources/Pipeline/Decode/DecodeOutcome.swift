/// What decoding one image member gave: the sample's ordinal (its key) and fields, or why it was skipped.
enum DecodeOutcome: Sendable {
    case sample(ordinal: Int, fields: [String: [UInt8]])
    case skipped(path: String, reason: String, detail: String)
}
