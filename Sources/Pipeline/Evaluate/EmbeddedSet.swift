import Foundation
import OODCore
import WebDataset

/// One evaluation input, decoded and embedded with the evaluation's model: unit image embeddings,
/// class names (ID sets), and for synthetic sets the images and captions (for the report).
public struct EmbeddedSet: Sendable {
    public var name: String
    public var embeddings: [[Float]] = []
    /// The class name of each sample, or nil (no label).
    public var labels: [String?] = []
    public var keys: [String] = []
    public var captions: [String] = []
    public var images: [[UInt8]] = []
    public var skipped = 0

    /// Decodes and embeds `paths` (what decode reads: folders, archives, shards; a folder written by
    /// `write` is read through its manifest) with the `decode` and `embed` stages through `runner`,
    /// into `scratch`. `keepImages` keeps the image bytes (synthetic sets, for the report).
    public static func load(name: String, paths: [String], decode: PipelineStage, embed: PipelineStage,
                            scratch: String, runner: Runner, keepImages: Bool) throws -> EmbeddedSet {
        let stream = scratch + "/\(UUID().uuidString).tar"
        defer { try? FileManager.default.removeItem(atPath: stream) }
        _ = try runner.run([RunPhase(name: "embed \(name)", stages: [("decode", { decode }), ("embed", { embed })],
                                     input: nil, checkpoint: stream)], resume: false)
        let reader = try SampleReader(path: stream)
        let classes = reader.header?.classes ?? []
        var set = EmbeddedSet(name: name)
        var read = 0
        while let sample = try reader.nextSample() {
            read += 1
            guard let bytes = sample["img.npy"], let vector = try? NPY.decode(bytes).values, !vector.isEmpty else {
                set.skipped += 1
                continue
            }
            set.embeddings.append(vector)
            set.labels.append(sample.classIndex.flatMap { classes.indices.contains($0) ? classes[$0] : nil })
            set.keys.append(sample.key)
            set.captions.append(sample.text ?? "")
            if keepImages { set.images.append(sample["png"] ?? sample["jpg"] ?? []) }
        }
        guard !set.embeddings.isEmpty else {
            throw PipelineError.inputFailed(paths.joined(separator: ", "), reason: read == 0
                ? "the set is empty (0 samples)" : "none of its \(read) samples could be embedded")
        }
        return set
    }

    /// The shard files of a folder written by `write` (through its manifest), else the path itself.
    public static func inputs(for path: String) -> [String] {
        let manifest = path + "/" + ShardManifest.fileName
        guard let data = FileManager.default.contents(atPath: manifest),
              let shards = try? JSONDecoder().decode(ShardManifest.self, from: data) else { return [path] }
        return shards.shards.map { path + "/" + $0.name }
    }
}
