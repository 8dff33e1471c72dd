/// One finished shard, as its `PREFIX-NNNNNN_stats.json` and the manifest record it. The stats file is
/// written (atomically) only after the shard itself was renamed into place, so its presence means the
/// shard is complete: a resumed run can trust it and skip that shard.
public struct ShardStats: Codable, Sendable, Equatable {
    /// File name of the shard inside the output directory, e.g. `shard-000000.tar`.
    public var name: String
    public var count: Int
    /// Size of the shard file in bytes.
    public var bytes: Int
    /// Lowercase hex SHA-256 of the shard file.
    public var sha256: String

    public init(name: String, count: Int, bytes: Int, sha256: String) {
        self.name = name
        self.count = count
        self.bytes = bytes
        self.sha256 = sha256
    }
}
