/// What `CrossModalFilter` found for one generated sample: its scores, the thresholds they were held
/// against (quantile thresholds differ per batch), and the first test it failed, if any.
public struct FilterDecision: Sendable, Equatable {
    public enum Rejection: String, Sendable, CaseIterable {
        /// Image and caption disagree (cosine below the threshold).
        case misaligned
        /// Another caption of the batch describes the image better than its own.
        case rank
        /// Too close to an ID class prototype.
        case idLike = "id-like"
        /// Inside the ID support (k-th-NN distance too small).
        case notNovel = "not-novel"
        /// Within the dedup cosine of an ID image.
        case copiesID = "copies-id"
        /// Within the dedup cosine of an earlier kept sample.
        case duplicate
    }

    public var alignment: Float
    /// 1 = its own caption is the batch's best for the image.
    public var rank: Int
    public var idSimilarity: Float
    /// Class index of the nearest prototype.
    public var nearestClass: Int
    /// 1 - cosine to the k-th nearest ID image.
    public var knnDistance: Float
    /// Row of the nearest ID image, and its cosine.
    public var nearestID: Int
    public var nearestIDSimilarity: Float
    /// Key of the most similar earlier kept sample, and its cosine (nil when none was kept before).
    public var nearestKept: String?
    public var nearestKeptSimilarity: Float?
    /// The thresholds of this sample's batch, resolved to values.
    public var minAlignment: Float
    public var maxIDSimilarity: Float
    public var minNovelty: Float
    public var rejection: Rejection?

    public var kept: Bool { rejection == nil }
}
