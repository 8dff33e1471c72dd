import ArgumentParser
import Imaging
import OODCore
import Pipeline

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Read images from folders and archives into a normalized sample stream.",
        discussion: """
        INPUT is a folder, a .tar, .tar.gz/.tgz or .zip archive, WebDataset shards, or - for a tar on \
        stdin (the default). One sample per image: KEY.png or KEY.jpg (downscaled so its longer side is at \
        most --max-side, never upscaled), KEY.txt (caption: a .txt/.caption file beside the image, else \
        the label, else the file name), KEY.cls (class index; classes sorted by name), KEY.json (source, \
        label, original size, sha256). Transparent pixels are composited on white (--alpha); with --alpha \
        drop the stored colours are kept, as a transformers CLIP pipeline (PIL's convert('RGB')) sees \
        them: use it to match embeddings made there. Bad images are skipped and counted; a truncated archive stops the \
        stage after everything before the break was emitted.

        Examples:
          oodsynth decode Samples/openclipart-12.tar | oodsynth write --out out/
          oodsynth decode photos/ --max-side 256 --format jpg --output photos.tar
          cat images.tar | oodsynth decode - > samples.tar
          oodsynth decode photos/ --range 1000:2000 --output shard-00001.tar
          oodsynth decode icons/ --alpha drop | oodsynth embed --model ~/models/clip-vit-base-patch32 > embedded.tar
        """)

    @Argument(help: "Folders or archives to read, in order; - or nothing for a tar on stdin.")
    var inputs: [String] = []

    @Option(help: "Longer side of the emitted images, in pixels (never upscaled).")
    var maxSide = 512

    @Option(help: "Refuse images with more pixels than this before decoding them (decompression bombs).")
    var maxPixels = 1_000_000_000

    @Option(help: "Image encoding of the emitted samples: jpg, png, or keep the source's.")
    var format: DecodeStage.OutputFormat = .keep

    @Option(help: "JPEG quality for jpg output, 1-100.")
    var quality = 90

    @Option(help: "Where class labels come from: parent-dir (the image's folder) or none.")
    var labelFrom: LabelSource = .parentDirectory

    @Option(help: "Transparent pixels: composite-white, composite-black, or drop (keep the stored colours, as PIL's convert('RGB') in transformers' CLIPImageProcessor does).")
    var alpha: AlphaMode = .compositeWhite

    @Option(help: "Decoding threads (default: the number of cores). The output does not depend on it.")
    var workers: Int?

    @Option(help: ArgumentHelp("Only images FROM..<TO of the inputs, counted from 0 in input order: one shard of a run (keys stay the images' positions).", valueName: "FROM:TO"))
    var range: String?

    @Option(name: .shortAndLong, help: "Write the stream to this file instead of stdout.")
    var output: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard maxSide >= 1 else { throw ValidationError("--max-side must be at least 1") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be between 1 and 100") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        guard inputs.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("stdin (-) can be read only once") }
        if let range { _ = try Self.parseRange(range) }
    }

    static func parseRange(_ text: String) throws -> Range<Int> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let from = Int(parts[0]), let to = Int(parts[1]), from >= 0, to >= from else {
            throw ValidationError("--range must be FROM:TO with 0 <= FROM <= TO, got \(text)")
        }
        return from..<to
    }

    func run() throws {
        try StageRunner.run("decode", quiet: common.quiet, output: .some(output), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        let resolved = try (inputs.isEmpty ? ["-"] : inputs).map { try DecodeInput(argument: $0) }
        var options = DecodeStage.Options()
        options.maxSide = maxSide
        options.maxPixels = maxPixels
        options.format = format
        options.quality = quality
        options.labelFrom = labelFrom
        options.alpha = alpha
        if let workers { options.workers = workers }
        options.range = try range.map(Self.parseRange)
        let stage = DecodeStage(inputs: resolved, options: options, diagnostics: diagnostics)
        return PipelineStage(name: "decode") { _, _, output in
            guard var output else { throw PipelineError.unconnected("decode") }
            return try stage.run(into: &output).description
        }
    }
}

extension DecodeStage.OutputFormat: ExpressibleByArgument {}
extension LabelSource: ExpressibleByArgument {}
extension AlphaMode: ExpressibleByArgument {}
