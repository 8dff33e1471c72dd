import ArgumentParser
import Foundation
import OODCore
import Pipeline
import WebDataset

struct WriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Split a sample stream into sharded WebDataset tars with a manifest.",
        discussion: """
        Writes DIR/PREFIX-000000.tar, ... (each to a temporary name, renamed when complete), then \
        DIR/PREFIX-000000_stats.json (count, bytes, sha256) to mark the shard done, and finally \
        DIR/manifest.json with the stream header, the shard list and totals.

        Examples:
          oodsynth decode Samples/openclipart-12.tar | oodsynth write --out out/
          oodsynth write --out shards/ --prefix train --max-count 1000 < samples.tar
          oodsynth write --out shards/ --allow-empty < maybe-empty.tar
        """)

    @Option(help: "Folder for the shards and manifest.json.")
    var out: String

    @Option(help: "Shard file name prefix.")
    var prefix = "ood"

    @Option(help: "Samples per shard at most.")
    var maxCount = 10_000

    @Option(help: "Bytes per shard at most (a sample larger than this gets a shard of its own).")
    var maxBytes: Int?

    @Flag(help: "Replace the contents of a non-empty --out folder.")
    var overwrite = false

    @Flag(help: "Accept an empty dataset: without it, a stream with no samples is written (manifest.json, no shards) and the command fails.")
    var allowEmpty = false

    @Option(name: .shortAndLong, help: "Read the stream from this file instead of stdin.")
    var input: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard maxCount >= 1 else { throw ValidationError("--max-count must be at least 1") }
        if let maxBytes, maxBytes < 1 { throw ValidationError("--max-bytes must be at least 1") }
        guard !prefix.isEmpty, !prefix.contains("/") else { throw ValidationError("--prefix must be a non-empty file name part") }
    }

    func run() throws {
        try StageRunner.run("write", quiet: common.quiet, input: .some(input), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        var options = WriteStage.Options(directory: out)
        options.prefix = prefix
        options.maxCount = maxCount
        options.maxBytes = maxBytes
        options.overwrite = overwrite
        let stage = WriteStage(options: options, diagnostics: diagnostics)
        let (allowEmpty, out) = (self.allowEmpty, self.out)
        return PipelineStage(name: "write") { input, name, _ in
            guard let input else { throw PipelineError.unconnected("write") }
            let summary = try stage.run(reading: input, inputName: name)
            // An empty dataset is almost always a filter that kept nothing: say so instead of a quiet success.
            guard summary.samples > 0 || allowEmpty else {
                throw PipelineError.outputFailed(out, reason: "wrote 0 samples (the stream had none: did filter keep nothing?); pass --allow-empty (write.allow-empty: true) to accept an empty dataset")
            }
            return summary.description
        }
    }
}
