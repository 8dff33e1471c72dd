import Foundation
import Generation
import Imaging
import OODCore
import WebDataset

/// Reads the ID images the builtin generator composes from: an embedded ID stream (`oodsynth embed`
/// output: an image and `img.npy` per sample). Each is held only as a square crop at the working size.
///
/// Past `maxReferences`, a seeded reservoir sample keeps a uniform subset, so memory stays bounded
/// (96 px: 27 KB each) and the choice does not favour the stream's first classes.
public struct ReferenceLoader {
    public var side = 96
    public var maxReferences = 4096
    public var seed: UInt64 = 0
    public var workers = ProcessInfo.processInfo.activeProcessorCount

    public init() {}

    public struct Loaded: Sendable {
        public var references: ReferenceSet
        public var model: ModelIdentity?
        public var seen = 0
        public var skipped = SkipTally()
    }

    public func load(reading reader: SampleReader, inputName: String, diagnostics: Diagnostics) throws -> Loaded {
        let header = try reader.requireHeader(inputName: inputName)
        // A stream no model has embedded has no usable sample: say so once, not once per sample.
        guard header.model != nil else {
            throw PipelineError.inputFailed(inputName, reason: "no usable reference images: the stream has no embeddings (run the ID set through oodsynth embed first)")
        }
        let side = side
        let pool = OrderedWorkPool<Sample, Result<ReferenceImage, ReferenceSkip>>(workers: workers) { sample in
            Self.reference(from: sample, side: side)
        }
        defer { pool.close() }
        var kept: [ReferenceImage] = []
        var skipped = SkipTally()
        var seen = 0
        var random = SeededGenerator(seed: seed, key: "references")
        var dimension: Int?
        func take(_ result: Result<ReferenceImage, ReferenceSkip>) {
            switch result {
            case .failure(let skip):
                skipped.add(skip.reason)
                diagnostics.info("generate: reference skipped: \(skip.detail) [\(skip.reason)]")
            case .success(let image):
                guard dimension == nil || dimension == image.embedding.count else {
                    skipped.add("embedding-size")
                    return
                }
                dimension = image.embedding.count
                seen += 1
                if kept.count < maxReferences {
                    kept.append(image)
                } else {
                    let slot = random.nextIndex(below: seen)
                    if slot < maxReferences { kept[slot] = image }
                }
            }
        }
        while let sample = try reader.nextSample() {
            pool.submit(sample)
            while pool.pending > 2 * workers, let result = pool.next() { take(result) }
            diagnostics.progress("generate: read \(seen) references")
        }
        while let result = pool.next() { take(result) }
        guard let dimension, !kept.isEmpty else {
            throw PipelineError.inputFailed(inputName, reason: """
                no usable reference images (each needs an image and img.npy; run the ID set through oodsynth embed first)\
                \(skipped.total > 0 ? "; skipped \(skipped.summary)" : "")
                """)
        }
        if seen > maxReferences {
            diagnostics.info("generate: \(seen) references; using a seeded sample of \(maxReferences) (--max-references)")
        }
        return Loaded(references: ReferenceSet(side: side, dimension: dimension, images: kept), model: header.model, seen: seen, skipped: skipped)
    }

    struct ReferenceSkip: Error {
        var reason: String
        var detail: String
    }

    static func reference(from sample: Sample, side: Int) -> Result<ReferenceImage, ReferenceSkip> {
        guard let bytes = sample["png"] ?? sample["jpg"] ?? sample["jpeg"] else {
            return .failure(ReferenceSkip(reason: "no-image", detail: "\(sample.key) has no png or jpg"))
        }
        guard let npy = sample["img.npy"], let values = try? NPY.decode(npy).values, !values.isEmpty else {
            return .failure(ReferenceSkip(reason: "no-embedding", detail: "\(sample.key) has no img.npy"))
        }
        let norm = values.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else {
            return .failure(ReferenceSkip(reason: "bad-embedding", detail: "\(sample.key): img.npy is zero or not finite"))
        }
        do {
            // A long side of 4x the working size leaves the short side of any image up to 4:1 at
            // least the working size, and decodes large images at a fraction of their pixels.
            let decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(maxSide: side * 4))
            let square = ReferenceImage.square(decoded.image, side: side)
            return .success(ReferenceImage(key: sample.key, classIndex: sample.classIndex, pixels: square.pixels,
                                           embedding: values.map { $0 / norm }))
        } catch {
            return .failure(ReferenceSkip(reason: error.reason, detail: "\(sample.key): \(error)"))
        }
    }
}
