import Yams

/// How a run is cut into tasks, from the manifest's `shards:` section. The cut is part of the
/// manifest, never derived from the number of workers, so every executor (one process, a Ray
/// cluster of any size) runs the same tasks and writes the same bytes.
///
///     shards: {images: 1000, targets: 256, knn: 8192}
public struct ShardSizes: Sendable, Equatable {
    /// Input images per decode | embed task.
    public var images = 1000
    /// Captioned gap targets per generate | filter task. A multiple of filter's batch keeps the
    /// filter's per-batch thresholds where one stream would put them.
    public var targets = 256
    /// ID points per kNN-density task (the map half of gaps' density).
    public var knn = 8192

    public static let keys = ["images", "targets", "knn"]

    public init() {}

    init(node: Node, source: String) throws(RunManifestError) {
        guard case .mapping(let mapping) = node else {
            throw .invalid(source, "shards must be a mapping: images, targets, knn")
        }
        for pair in mapping {
            let key = pair.key.string ?? ""
            guard let text = pair.value.string, let value = Int(text), value >= 1 else {
                throw .invalid(source, "shards.\(key) must be a whole number of at least 1")
            }
            switch key {
            case "images": images = value
            case "targets": targets = value
            case "knn": knn = value
            default: throw .invalid(source, "shards: unknown key '\(key)' (known: \(Self.keys.joined(separator: ", ")))")
            }
        }
    }
}
