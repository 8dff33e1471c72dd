import Foundation

/// A run of stages chained by in-process pipes, from an optional input stream file to an optional
/// checkpoint file. A phase whose checkpoint exists is complete and is skipped on `--resume`.
public struct RunPhase {
    public var name: String
    /// The stages, built when the phase starts (a stage may need an earlier phase's checkpoint).
    public var stages: [(name: String, make: () throws -> PipelineStage)]
    /// Stream file the first stage reads (nil: the first stage is a source).
    public var input: String?
    /// Stream file the last stage's output goes to (nil: the last stage is a sink).
    public var checkpoint: String?
    /// For a phase whose result is not a stream (a fitted model): a file written once it completed.
    public var marker: String?

    public init(name: String, stages: [(name: String, make: () throws -> PipelineStage)], input: String?, checkpoint: String?,
                marker: String? = nil) {
        self.name = name
        self.stages = stages
        self.input = input
        self.checkpoint = checkpoint
        self.marker = marker
    }

    /// Whether an earlier run completed this phase.
    var isComplete: Bool {
        [checkpoint, marker].contains { $0.map { FileManager.default.fileExists(atPath: $0) } ?? false }
    }
}
