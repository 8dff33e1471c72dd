import Foundation
import OODCore
import WebDataset

/// `oodsynth write`: splits a sample stream into sharded WebDataset tars plus `manifest.json`, the
/// form any trainer loads.
public struct WriteStage {
    public struct Options: Sendable {
        public var directory: String
        public var prefix = "ood"
        public var maxCount = 10_000
        public var maxBytes: Int?
        public var overwrite = false

        public init(directory: String) {
            self.directory = directory
        }

        var record: [String: String] {
            var record = ["prefix": prefix, "max-count": String(maxCount)]
            if let maxBytes { record["max-bytes"] = String(maxBytes) }
            return record
        }
    }

    public let options: Options
    public let diagnostics: Diagnostics

    public init(options: Options, diagnostics: Diagnostics) {
        self.options = options
        self.diagnostics = diagnostics
    }

    /// Reads the header and samples from `reader` and shards them. A truncated stream still leaves
    /// complete shards of everything read, then the error.
    public func run(reading reader: SampleReader, inputName: String) throws -> WriteSummary {
        let started = ProcessInfo.processInfo.systemUptime
        let header = try reader.requireHeader(inputName: inputName)
        let writer: ShardWriter
        do {
            writer = try ShardWriter(
                directory: options.directory, prefix: options.prefix, maxCount: options.maxCount,
                maxBytes: options.maxBytes, overwrite: options.overwrite)
        } catch {
            throw PipelineError.shards(error)
        }
        var summary = WriteSummary(directory: options.directory)
        var stopped: Error?
        do {
            while let sample = try reader.next() {
                try writer.write(sample)
                summary.samples += 1
                summary.bytes += sample.byteCount
                diagnostics.progress("write: \(summary.samples) samples")
            }
        } catch let error as SampleStreamError {
            // The complete samples before the break still become complete shards.
            stopped = PipelineError.sampleStream(error)
        } catch let error as ShardError {
            throw PipelineError.shards(error)
        }
        do {
            let manifest = try writer.finish(header: header.appending(StageRecord(name: "write", options: options.record)))
            summary.shards = manifest.shards.count
        } catch {
            throw PipelineError.shards(error)
        }
        summary.seconds = ProcessInfo.processInfo.systemUptime - started
        if let stopped { throw stopped }
        return summary
    }
}
