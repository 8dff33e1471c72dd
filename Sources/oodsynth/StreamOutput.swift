import Foundation
import Pipeline
import WebDataset

/// Opens where a stage's tar stream goes: a file, or stdout unless stdout is a terminal (a binary tar
/// on a terminal helps nobody; the user most likely forgot a pipe).
enum StreamOutput {
    static func open(_ path: String?) throws -> SampleWriter {
        if let path, path != "-" {
            return try SampleWriter(path: path)
        }
        guard isatty(STDOUT_FILENO) == 0 else {
            throw PipelineError.invalidOption(
                "refusing to write a tar stream to a terminal; pipe it into the next stage or use --output FILE")
        }
        return try SampleWriter(fileDescriptor: STDOUT_FILENO, name: "<stdout>")
    }

    /// Runs `body` with the stream writer and finishes the stream: after a failure too, so the samples
    /// written before it still reach the next stage as a readable (if shorter) stream.
    static func writing<T>(to path: String?, _ body: (inout SampleWriter) throws -> T) throws -> T {
        var writer = try open(path)
        let result: T
        do {
            result = try body(&writer)
        } catch {
            try? writer.finish()
            throw error
        }
        try writer.finish()
        return result
    }
}
