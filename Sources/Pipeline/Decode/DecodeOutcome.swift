/// What decoding one image member gave: the sample's fields (its key is assigned in emit order), or
/// why it was skipped.
enum DecodeOutcome: Sendable {
    case sample(fields: [String: [UInt8]])
    case skipped(path: String, reason: String, detail: String)
}

/// One image member handed to a worker, with everything the pre-scan knows about it.
struct DecodeJob: Sendable {
    let inputName: String
    let path: String
    let bytes: [UInt8]
    let label: String?
    let classIndex: Int?
    let caption: String
}
