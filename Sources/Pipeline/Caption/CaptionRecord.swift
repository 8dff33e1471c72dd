import Captions

/// The `json` of a caption sample: how the caption was made and how it scored against its gap.
struct CaptionRecord: Codable {
    var family: CaptionFamily
    var concepts: [Concept]
    /// ID class names the caption modifies or blends.
    var classes: [String]
    var gapKey: String
    var gapMethod: String?
    /// Similarity to the gap minus lambda times the largest similarity to an ID class prompt.
    var score: Float
    var gapSimilarity: Float
    var idSimilarity: Float
    var source: CaptionSource

    enum CodingKeys: String, CodingKey {
        case family, concepts, classes, score, source
        case gapKey = "gap_key", gapMethod = "gap_method", gapSimilarity = "gap_similarity", idSimilarity = "id_similarity"
    }
}
