import ArgumentParser
import Foundation
import OODCore
import Pipeline

struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run one task of a plan (what oodsynth run and scripts/ray-run execute).",
        discussion: """
        Runs the task's stages in this process, in the plan's folder (its cwd): the output stream is \
        written as .partial and renamed, then NAME_done.json (samples, files with sha256, seconds) is \
        written last. Running a task again redoes it to the same bytes, so a retry after a lost node \
        needs nothing cleaned up.

        Examples:
          oodsynth plan manifests/demo.yaml --out out/demo
          oodsynth task out/demo.work/plan.json id-00000
        """)

    @Argument(help: "The plan (plan.json from oodsynth plan).")
    var plan: String

    @Argument(help: "The task's name.")
    var name: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        try reportingFailure("task") {
            signal(SIGPIPE, SIG_IGN)
            let loaded = try Plan.load(path: plan)
            guard let task = loaded[name] else { throw PlanError.unknownTask(plan: plan, name: name) }
            let absolute = (plan as NSString).isAbsolutePath ? plan : FileManager.default.currentDirectoryPath + "/" + plan
            guard FileManager.default.changeCurrentDirectoryPath(loaded.cwd) else {
                throw PlanError.unreadable(absolute, "cannot enter the plan's folder \(loaded.cwd) (tasks need it on shared storage at the same path)")
            }
            let diagnostics = Diagnostics(quiet: common.quiet)
            let executor = TaskExecutor(plan: loaded, planPath: plan, diagnostics: diagnostics, stageDiagnostics: diagnostics)
            let record = try executor.run(task)
            for summary in record.summaries { diagnostics.info(summary) }
        }
    }
}
