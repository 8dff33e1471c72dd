import Foundation
import Imaging
import OODCore
import WebDataset

/// `oodsynth decode`: turns folders and archives of images into a normalized sample stream, one sample
/// per image (downscaled image, caption, class index, provenance), decoding on worker threads and
/// emitting in input order.
public struct DecodeStage {
    public enum OutputFormat: String, Sendable, CaseIterable {
        case jpg, png, keep
    }

    public struct Options: Sendable {
        public var maxSide = 512
        public var maxPixels = 1_000_000_000
        public var format = OutputFormat.keep
        public var quality = 90
        public var labelFrom = LabelSource.parentDirectory
        /// What becomes of transparent pixels (recorded only when not the default, so streams made
        /// before the option existed keep their bytes).
        public var alpha = AlphaMode.compositeWhite
        public var workers = ProcessInfo.processInfo.activeProcessorCount
        /// Members larger than this are skipped unread: no real image of `maxPixels` needs more.
        public var maxFileBytes = 512 << 20
        /// Only the images whose ordinal (their position among the inputs' images) is in this range:
        /// one shard of a run. Keys are ordinals, so the shards of a set, concatenated, are the whole
        /// set's stream. Not recorded: every shard's header is the whole set's.
        public var range: Range<Int>?

        public init() {}

        /// The options that shape the output, as the stream header records them (not `workers`: the
        /// output is the same for any number).
        var record: [String: String] {
            ["max-side": String(maxSide), "max-pixels": String(maxPixels), "format": format.rawValue,
             "quality": String(quality), "label-from": labelFrom.rawValue].merging(
                alpha == .compositeWhite ? [:] : ["alpha": alpha.rawValue]) { a, _ in a }
        }
    }

    public let inputs: [DecodeInput]
    public let options: Options
    public let diagnostics: Diagnostics

    public init(inputs: [DecodeInput], options: Options, diagnostics: Diagnostics) {
        self.inputs = inputs
        self.options = options
        self.diagnostics = diagnostics
    }

    /// How many images the inputs hold (decodable or not): what a planner cuts into `range`s. Reads
    /// the archives' member headers, not their images.
    public static func imageCount(inputs: [DecodeInput], labelFrom: LabelSource) throws -> Int {
        guard !inputs.contains(.standardInput) else {
            throw PipelineError.invalidOption("decode: stdin (-) cannot be cut into shards; name the files")
        }
        let walkers = inputs.map { InputWalker(input: $0, spoolPath: nil) }
        return try InputScan(inputs: walkers, labelFrom: labelFrom).imageCount
    }

    /// Writes the header and every decodable image to `sink`. A broken input (a truncated archive)
    /// stops the stage with an error, but only after everything read before it was emitted.
    public func run(into sink: inout some SampleSink) throws -> DecodeSummary {
        let started = ProcessInfo.processInfo.systemUptime
        let spool = try StandardInputSpool(needed: inputs.contains(.standardInput))
        defer { spool.remove() }
        let walkers = inputs.map { InputWalker(input: $0, spoolPath: spool.path) }

        let scan = try InputScan(inputs: walkers, labelFrom: options.labelFrom)
        let header = StreamHeader(
            stages: [StageRecord(name: "decode", options: options.record.merging(
                ["inputs": inputs.map(\.description).joined(separator: " ")]) { a, _ in a })],
            classes: scan.classes)
        try sink.write(try header.sample())

        var summary = DecodeSummary()
        let classIndex = Dictionary(uniqueKeysWithValues: scan.classes.enumerated().map { ($1, $0) })
        let imageOptions = DecodeOptions(maxSide: options.maxSide, maxPixels: options.maxPixels, alpha: options.alpha)
        let format = options.format
        let quality = options.quality
        let pool = OrderedWorkPool<DecodeJob, DecodeOutcome>(workers: options.workers) { job in
            Self.decode(job, imageOptions: imageOptions, format: format, quality: quality)
        }
        defer { pool.close() }
        // Enough jobs in flight to keep every worker busy while the reader waits on the oldest.
        let window = max(4, options.workers * 4)

        func take() throws {
            guard let outcome = pool.next() else { return }
            switch outcome {
            case .sample(let ordinal, let fields):
                try sink.write(Sample(key: SampleKey.make(index: ordinal), fields: fields))
                summary.emitted += 1
            case .skipped(let path, let reason, let detail):
                skip(path: path, reason: reason, detail: detail, in: &summary)
            }
            diagnostics.progress("decode: \(summary.emitted + summary.skipped.total)/\(scan.imageCount) images")
        }

        // Images seen so far, in input order: the key of the next image, and the shard that owns
        // the entries before it (a shard reports the bad entries between its images, and the last
        // shard those after the last image).
        var ordinal = 0
        let range = options.range ?? 0..<Int.max
        func owns(_ position: Int) -> Bool {
            range.contains(position) || (position == range.upperBound && position >= scan.imageCount)
        }
        var stopped: Error?
        for (index, walker) in walkers.enumerated() {
            let inputName = walker.input.description
            do {
                try walker.walk { entry in
                    let location = inputName + ": " + entry.path
                    if case .file = entry.kind, entry.isImage {
                        ordinal += 1
                        guard range.contains(ordinal - 1) else { return }
                    } else if !owns(ordinal) {
                        return
                    }
                    switch entry.kind {
                    case .refused(let reason, let detail):
                        skip(path: location, reason: reason, detail: detail, in: &summary)
                        return
                    case .file:
                        break
                    }
                    guard entry.isImage else {
                        if !entry.isSidecar {
                            skip(path: location, reason: "not-an-image", detail: "not a .png or .jpg file", in: &summary)
                        }
                        return
                    }
                    summary.read += 1
                    let bytes: [UInt8]
                    do {
                        bytes = try entry.read(options.maxFileBytes)
                    } catch let error as MemberTooLarge {
                        skip(path: location, reason: "too-large-file", detail: error.description, in: &summary)
                        return
                    } catch let error as ArchiveError {
                        guard case .memberTooLarge = error else { throw error }
                        skip(path: location, reason: "too-large-file", detail: error.description, in: &summary)
                        return
                    }
                    let label = scan.label(input: index, stem: entry.stem, parent: entry.parentName, from: options.labelFrom)
                    pool.submit(DecodeJob(
                        ordinal: ordinal - 1, inputName: inputName, path: entry.path, bytes: bytes, label: label,
                        classIndex: label.flatMap { classIndex[$0] },
                        caption: scan.caption(input: index, stem: entry.stem)
                            ?? Self.caption(label: label, path: entry.path)))
                    while pool.pending >= window { try take() }
                }
            } catch let error as ArchiveError {
                // A broken input ends the stage, after the samples read before the break are out.
                stopped = PipelineError.archive(error)
                break
            } catch let error as PipelineError {
                stopped = error
                break
            }
        }
        while pool.pending > 0 { try take() }
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        if let stopped { throw stopped }
        return summary
    }

    private func skip(path: String, reason: String, detail: String, in summary: inout DecodeSummary) {
        summary.skipped.add(reason)
        diagnostics.info("decode: skipped \(path): \(detail) [\(reason)]")
    }

    static func decode(_ job: DecodeJob, imageOptions: DecodeOptions, format: OutputFormat, quality: Int) -> DecodeOutcome {
        let decoded: DecodedImage
        do {
            decoded = try ImageDecoder.decode(job.bytes, options: imageOptions)
        } catch {
            return .skipped(path: job.inputName + ": " + job.path, reason: error.reason, detail: error.description)
        }
        let useJPEG = switch format {
        case .jpg: true
        case .png: false
        case .keep: decoded.format == .jpeg
        }
        do {
            let encoded = useJPEG
                ? try JPEGEncoder.encode(decoded.image, quality: quality)
                : try PNGEncoder.encode(decoded.image)
            let record = SampleRecord(
                input: job.inputName, path: job.path, label: job.label,
                format: decoded.format == .jpeg ? "jpeg" : "png",
                width: decoded.width, height: decoded.height,
                sha256: SHA256.hex(SHA256.hash(job.bytes)))
            var fields: [String: [UInt8]] = [
                useJPEG ? "jpg" : "png": encoded,
                "txt": Array(job.caption.utf8),
                "json": try CanonicalJSON.encode(record),
            ]
            if let classIndex = job.classIndex { fields["cls"] = Array(String(classIndex).utf8) }
            return .sample(ordinal: job.ordinal, fields: fields)
        } catch {
            return .skipped(path: job.inputName + ": " + job.path, reason: "encode-failed", detail: String(describing: error))
        }
    }

    /// A caption when no sidecar gives one: from the label, else from the file name's words.
    static func caption(label: String?, path: String) -> String {
        if let label {
            let words = label.replacingOccurrences(of: "_", with: " ")
            return "a photo of a \(words)"
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        let words = stem.split { $0 == "_" || $0 == "-" || $0 == " " }.joined(separator: " ")
        return words.isEmpty ? "a photo" : words
    }
}
