import WebDataset

/// One stage as the in-process runner runs it: the same code a subcommand runs, with its input and
/// output handed in. `input` is nil for a source (decode); `output` is nil for a sink (write).
/// Returns the stage's end-of-run summary line.
public struct PipelineStage {
    public typealias Body = (_ input: SampleReader?, _ inputName: String, _ output: SampleWriter?) throws -> String

    public let name: String
    public let body: Body

    public init(name: String, body: @escaping Body) {
        self.name = name
        self.body = body
    }
}
