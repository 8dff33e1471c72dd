import OODCore

/// `manifest.json` of a shard directory: the stream header (moved out of the sample stream), the
/// shards in order, and totals.
public struct ShardManifest: Codable, Sendable, Equatable {
    public static let fileName = "manifest.json"
    public static let formatName = "oodsynth-shards"

    public var format: String
    public var version: Int
    public var header: StreamHeader?
    public var shards: [ShardStats]
    public var totalCount: Int
    public var totalBytes: Int

    public init(header: StreamHeader?, shards: [ShardStats]) {
        format = Self.formatName
        version = 1
        self.header = header
        self.shards = shards
        totalCount = shards.reduce(0) { $0 + $1.count }
        totalBytes = shards.reduce(0) { $0 + $1.bytes }
    }
}
