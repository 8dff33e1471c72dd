/// The `json` of a gap sample: how the point was made and where it sits relative to the ID set.
struct GapRecord: Codable {
    struct NearestClass: Codable {
        var name: String
        var index: Int
        var similarity: Float
    }

    var method: String
    var parameters: [String: String]
    var space: String
    var seed: UInt64
    var k: Int
    var knnDistance: Float
    /// Percent of ID points whose own k-th-NN distance is at most `knnDistance`.
    var percentile: Double
    var nearestClasses: [NearestClass]
    /// Keys of the ID samples it was made from.
    var sources: [String]

    enum CodingKeys: String, CodingKey {
        case method, parameters, space, seed, k, percentile, sources
        case knnDistance = "knn_distance", nearestClasses = "nearest_classes"
    }
}
