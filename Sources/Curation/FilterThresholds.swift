/// When `filter` keeps a generated sample. See METHODS.md, "Filtering".
public struct FilterThresholds: Sendable, Equatable {
    /// Image-caption cosine at least this (default: the batch's own lowest quarter goes).
    public var minAlignment = Threshold.batchQuantile(0.25)
    /// The sample's own caption among the best `rank` captions of the batch for its image.
    public var rank = 5
    /// Largest cosine to an ID class prototype at most this (default: below the median ID image's).
    public var maxIDSimilarity = Threshold.idPercentile(50)
    /// Distance (1 - cosine) to the k-th nearest ID image at least this (default: beyond the 95th
    /// percentile of the ID images' own k-th-NN distances, i.e. outside the ID support).
    public var minNovelty = Threshold.idPercentile(95)
    /// A sample within this cosine of an ID image or of an earlier kept sample is a copy.
    public var dedup: Float = 0.95

    public init() {}

    /// For the stage record: option name -> value as given.
    public var record: [String: String] {
        ["min-alignment": minAlignment.description, "rank": String(rank), "max-id-similarity": maxIDSimilarity.description,
         "min-novelty": minNovelty.description, "dedup": String(dedup)]
    }
}
