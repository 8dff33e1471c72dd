import Foundation
import LinearAlgebra
import OODCore
import WebDataset

/// A synthetic set as `write` leaves it (a folder of shards with `manifest.json`, or one stream),
/// read for training: each sample's image embedding (`img.npy`), caption embedding (`txt.npy`) and
/// gap (`emb.npy`), in the model space its header names.
public struct SyntheticSet {
    public var name: String
    public var images: [[Float]] = []
    public var captions: [[Float]] = []
    public var gaps: [[Float]] = []
    public var model: ModelIdentity?
    /// Samples without the three embeddings, by missing field.
    public var skipped: [String: Int] = [:]

    public var count: Int { images.count }

    /// Reads `path`; refuses a set embedded with another model than `model`, and an empty one.
    public static func read(_ path: String, model: ModelIdentity) throws -> SyntheticSet {
        var set = SyntheticSet(name: path)
        let manifestPath = path + "/" + ShardManifest.fileName
        let shards: [String]
        if FileManager.default.fileExists(atPath: manifestPath) {
            guard let data = FileManager.default.contents(atPath: manifestPath),
                  let manifest = try? JSONDecoder().decode(ShardManifest.self, from: data) else {
                throw PipelineError.unreadableInput(manifestPath, reason: "not a manifest written by oodsynth write")
            }
            set.model = manifest.header?.model
            shards = manifest.shards.map { path + "/" + $0.name }
        } else if FileManager.default.fileExists(atPath: path) {
            shards = [path]
        } else {
            throw PipelineError.inputNotFound(path)
        }
        for shard in shards {
            let reader: SampleReader
            do {
                reader = try SampleReader(path: shard)
            } catch {
                throw PipelineError.unreadableInput(shard, reason: "\(error)")
            }
            do {
                while let sample = try reader.next() {
                    guard !sample.isStreamHeader else { continue }
                    var vectors: [[Float]] = []
                    for field in ["img.npy", "txt.npy", "emb.npy"] {
                        guard let bytes = sample[field], let values = try? NPY.decode(bytes).values, values.count == model.dimension else {
                            set.skipped[field, default: 0] += 1
                            break
                        }
                        vectors.append(values)
                    }
                    guard vectors.count == 3 else { continue }
                    set.images.append(vectors[0])
                    set.captions.append(vectors[1])
                    set.gaps.append(vectors[2])
                }
            } catch {
                // Never train on part of a broken set.
                throw PipelineError.unreadableInput(shard, reason: "\(error)")
            }
            if set.model == nil { set.model = reader.header?.model }
        }
        if let found = set.model, found.weightsSHA256 != model.weightsSHA256 {
            throw PipelineError.inputFailed(path, reason: "embedded with \(found), not with \(model): embed it with the same --model")
        }
        guard set.count > 0 else {
            let missing = set.skipped.isEmpty ? "" : " (" + set.skipped.sorted { $0.key < $1.key }.map { "\($0.value) without \($0.key)" }.joined(separator: ", ") + ")"
            throw PipelineError.inputFailed(path, reason: "the synthetic set is empty (0 samples with img.npy, txt.npy and emb.npy)\(missing)")
        }
        return set
    }
}
