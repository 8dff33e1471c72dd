/// The result of a k-nearest-neighbour search: for each query, `k` index rows and similarities,
/// most similar first (ties: lower index first).
public final class Neighbours: @unchecked Sendable {
    public let queries: Int
    public let k: Int
    /// queries x k, row-major.
    public internal(set) var similarities: [Float]
    public internal(set) var indices: [Int32]

    init(queries: Int, k: Int) {
        self.queries = queries
        self.k = k
        similarities = [Float](repeating: -.infinity, count: queries * k)
        indices = [Int32](repeating: -1, count: queries * k)
    }

    public func similarity(query: Int, rank: Int) -> Float { similarities[query * k + rank] }
    public func index(query: Int, rank: Int) -> Int { Int(indices[query * k + rank]) }

    /// 1 - cosine to the k-th (last) neighbour of every query.
    public var kthDistances: [Float] {
        guard k > 0 else { return [Float](repeating: .nan, count: queries) }
        return (0..<queries).map { 1 - similarities[$0 * k + k - 1] }
    }

    /// The neighbours of one query as (index, similarity), most similar first.
    public func row(_ query: Int) -> [(index: Int, similarity: Float)] {
        (0..<k).map { (Int(indices[query * k + $0]), similarities[query * k + $0]) }
    }
}
