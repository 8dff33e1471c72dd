import Encoders
import Foundation
import Imaging
import OODCore

/// Gathers what fitting the builtin tower needs from an ID stream, one sample at a time: a thumbnail,
/// a caption and a label per sample, never the full images. Images are decoded on worker threads and
/// collected in stream order. It is a `SampleSink`, so `decode` can feed it in-process.
public final class FitCollector: SampleSink {
    public struct Item {
        public var key: String
        public var thumbnail: RGBImage
        /// The sample's `txt`, or nil (the prompt template with the label stands in).
        public var caption: String?
        public var label: Int?
    }

    public private(set) var header: StreamHeader?
    public private(set) var items: [Item] = []
    public private(set) var skipped = SkipTally()
    public let inputName: String
    private let diagnostics: Diagnostics
    private let pool: OrderedWorkPool<[UInt8], Result<RGBImage, ImageError>>
    private var waiting: [(key: String, caption: String?, label: Int?)] = []
    private let window: Int

    public init(inputName: String, imageSize: Int, workers: Int, diagnostics: Diagnostics) {
        self.inputName = inputName
        self.diagnostics = diagnostics
        window = max(4, workers * 4)
        pool = OrderedWorkPool(workers: workers) { bytes in
            Result { () throws(ImageError) -> RGBImage in
                BuiltinImageTower.thumbnail(try ImageDecoder.decode(bytes).image, size: imageSize)
            }
        }
    }

    deinit {
        pool.close()
    }

    public func write(_ sample: Sample) throws {
        if sample.isStreamHeader {
            header = try StreamHeader(sample: sample)
            return
        }
        guard let bytes = sample["png"] ?? sample["jpg"] ?? sample["jpeg"] else {
            skip(sample.key, reason: "no-image", detail: "no png or jpg field")
            return
        }
        let label = sample.classIndex
        if let label, !(0..<(header?.classes.count ?? 0)).contains(label) {
            skip(sample.key, reason: "bad-label", detail: "class index \(label) is not in the header's \(header?.classes.count ?? 0) classes")
            return
        }
        let caption = sample.text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        guard caption != nil || label != nil else {
            skip(sample.key, reason: "no-caption", detail: "neither a txt caption nor a cls label")
            return
        }
        pool.submit(bytes)
        waiting.append((sample.key, caption, label))
        while pool.pending >= window { take() }
    }

    /// Waits for every image still decoding; call once the input is exhausted.
    public func finish() {
        while pool.pending > 0 { take() }
    }

    private func take() {
        guard let result = pool.next() else { return }
        let job = waiting.removeFirst()
        switch result {
        case .success(let thumbnail):
            items.append(Item(key: job.key, thumbnail: thumbnail, caption: job.caption, label: job.label))
        case .failure(let error):
            skip(job.key, reason: error.reason, detail: error.description)
        }
        diagnostics.progress("fit: \(items.count) images read")
    }

    private func skip(_ key: String, reason: String, detail: String) {
        skipped.add(reason)
        diagnostics.info("fit: skipped \(key): \(detail) [\(reason)]")
    }
}
