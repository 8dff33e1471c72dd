import Foundation
import OODCore

/// The end-of-run account of `write`.
public struct WriteSummary: Sendable, CustomStringConvertible {
    public var directory: String
    public var samples = 0
    public var bytes = 0
    public var shards = 0
    public var seconds = 0.0

    public var description: String {
        "write: \(samples) samples in \(shards) shards (\(bytes) bytes of fields) under \(directory), "
            + "\(String(format: "%.1f", seconds)) s"
    }
}
