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
}
