/// One request line to an embed worker: captions, or `count` preprocessed images as base64 RGB bytes.
struct EmbedWorkerRequest: Encodable {
    var id: String
    var texts: [String]?
    var pixels: String?
    /// `[n, crop, crop, 3]` for pixels.
    var shape: [Int]?
    var mean: [Float]?
    var std: [Float]?
}

/// One answer line: `embeddings` (base64 little-endian float32, `shape` = `[n, dimension]`) or `error`.
struct EmbedWorkerResponse: Decodable {
    var id: String?
    var embeddings: String?
    var shape: [Int]?
    var error: String?
}
