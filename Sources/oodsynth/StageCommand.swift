import ArgumentParser
import OODCore
import Pipeline

/// A subcommand that a plan's task can run as one of its stages, from the stage's command line
/// (`["embed", "--model=builtin"]`): the same parsing, validation and stage as typing it.
protocol StageCommand: ParsableCommand {
    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage
}

extension DecodeCommand: StageCommand {}
extension EmbedCommand: StageCommand {}
extension FitCommand: StageCommand {}
extension GapsCommand: StageCommand {}
extension CaptionCommand: StageCommand {}
extension GenerateCommand: StageCommand {}
extension FilterCommand: StageCommand {}
extension WriteCommand: StageCommand {}
extension ScoreCommand: StageCommand {}
extension KNNCommand: StageCommand {}

extension TrainCommand: StageCommand {
    /// Train reads its sets itself (folders and files, not a stream): a stage with no stream ends.
    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        var command = self
        command.common.quiet = command.common.quiet || diagnostics.quiet
        return PipelineStage(name: "train") { _, _, _ in
            try command.run()
            return "train: wrote \(command.out)"
        }
    }
}

enum StageCommands {
    static let types: [String: any StageCommand.Type] = [
        "decode": DecodeCommand.self, "embed": EmbedCommand.self, "fit": FitCommand.self, "gaps": GapsCommand.self,
        "caption": CaptionCommand.self, "generate": GenerateCommand.self, "filter": FilterCommand.self,
        "write": WriteCommand.self, "score": ScoreCommand.self, "knn": KNNCommand.self, "train": TrainCommand.self,
    ]

    /// Parses a stage's command line; a problem names `context` (the manifest or task) and the stage.
    static func parse(_ arguments: [String], context: String) throws -> any StageCommand {
        guard let name = arguments.first, let type = types[name] else {
            throw PipelineError.invalidOption("\(context): \(arguments.first ?? "(empty)"): not a stage")
        }
        do {
            guard let command = try type.parseAsRoot(Array(arguments.dropFirst())) as? any StageCommand else {
                throw PipelineError.invalidOption("\(context): \(name): not a stage")
            }
            return command
        } catch let error as PipelineError {
            throw error
        } catch {
            let message = type.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw PipelineError.invalidOption("\(context): \(name): \(message)")
        }
    }
}
