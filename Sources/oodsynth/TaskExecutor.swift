import Encoders
import Foundation
import OODCore
import Pipeline

/// Runs one task of a plan in this process: its input slice and stages chained by the `Runner`, its
/// output stream written under a temporary name and renamed, and its done file written last. The
/// same code runs a task for `oodsynth run` and for `oodsynth task` (what the Ray driver starts), so
/// both executors write the same bytes.
struct TaskExecutor {
    let plan: Plan
    let planPath: String
    let diagnostics: Diagnostics
    /// The stages keep their per-sample notes to themselves when a runner shows progress for them.
    let stageDiagnostics: Diagnostics

    /// Runs `task`; returns its record (also stored in its done file).
    func run(_ task: PlanTask) throws -> TaskRecord {
        let started = ProcessInfo.processInfo.systemUptime
        let files = FileManager.default
        for path in task.input?.files ?? [] where !files.fileExists(atPath: path) {
            throw PlanError.missingInput(task: task.name, path: path)
        }
        // A retried task starts from nothing: no done file from a run it does not belong to.
        try? files.removeItem(atPath: task.done)
        for folder in Set(([task.output].compactMap { $0 } + [task.done]).map { ($0 as NSString).deletingLastPathComponent }) where !folder.isEmpty {
            do {
                try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw PipelineError.outputFailed(folder, reason: "cannot create the folder: \(error.localizedDescription)")
            }
        }
        let context = "\(planPath): task \(task.name)"
        let commands = try task.stages.map { try StageCommands.parse($0, context: context) }
        var stages: [(name: String, make: () throws -> PipelineStage)] = []
        if let input = task.input {
            let slice = StreamSlice(files: input.files, from: input.from, to: input.to, fields: input.fields)
            stages.append(("read", { slice.stage() }))
        }
        for (command, arguments) in zip(commands, task.stages) {
            let diagnostics = stageDiagnostics
            stages.append((arguments[0], { try command.makeStage(diagnostics: diagnostics) }))
        }
        let phase = RunPhase(name: task.name, stages: stages, input: nil, checkpoint: task.output)
        let (summaries, written) = try Runner(diagnostics: diagnostics).run(phase)
        var recorded: [TaskRecord.File] = []
        for path in task.outputs where task.output == path || Self.isFile(path) {
            recorded.append(try Self.describe(path))
        }
        let record = TaskRecord(task: task.name, count: written.map { max(0, $0 - 1) }, files: recorded,
                                seconds: ProcessInfo.processInfo.systemUptime - started,
                                summaries: summaries.filter { !$0.hasPrefix("read: ") })
        try record.store(at: task.done)
        return record
    }

    static func isFile(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && !folder.boolValue
    }

    /// A written file's size and sha256.
    static func describe(_ path: String) throws -> TaskRecord.File {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int else {
            throw PipelineError.outputFailed(path, reason: "the task did not write it")
        }
        return TaskRecord.File(path: path, bytes: size, sha256: try WeightsDigest.sha256(of: path))
    }
}
