import Foundation
import OODCore
import Pipeline

/// Runs a stage as its own command: stream in from a file or stdin, out to a file or stdout, the
/// summary on stderr. `oodsynth run` runs the very same `PipelineStage`s, chained in one process.
enum StageRunner {
    static func run(_ command: String, quiet: Bool, input: String?? = nil, output: String?? = nil,
                    make: (Diagnostics) throws -> PipelineStage) throws {
        try reportingFailure(command) {
            let diagnostics = Diagnostics(quiet: quiet)
            let stage = try make(diagnostics)
            let source = try input.map { try StreamInput.open($0) }
            let summary: String
            if let output {
                summary = try StreamOutput.writing(to: output) { try stage.body(source?.reader, source?.name ?? "", $0) }
            } else {
                summary = try stage.body(source?.reader, source?.name ?? "", nil)
            }
            diagnostics.info(summary)
        }
    }
}

extension PipelineError {
    /// A stage body called without the stream it needs: a runner bug, not user input.
    static func unconnected(_ stage: String) -> PipelineError {
        .invalidOption("\(stage): the stage was run without its input or output stream")
    }
}
