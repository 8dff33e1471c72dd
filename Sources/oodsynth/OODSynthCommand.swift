import ArgumentParser


struct OODSynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oodsynth",
        abstract: "Synthesize out-of-distribution images and captions from your own image dataset.",
        discussion: """
        Stages read and write a WebDataset tar stream, so they chain with pipes:

          oodsynth decode photos.zip | oodsynth embed | oodsynth write --out shards/

        stdout carries data only; progress and summaries go to stderr.
        """,
        version: "0.1.0",
        subcommands: [DecodeCommand.self, EmbedCommand.self, FitCommand.self, GapsCommand.self, CaptionCommand.self, GenerateCommand.self, FilterCommand.self, WriteCommand.self, RunCommand.self, PlanCommand.self, TaskCommand.self, KNNCommand.self, InspectCommand.self, EvaluateCommand.self, TrainCommand.self, ScoreCommand.self])
}
