import ArgumentParser
import Foundation
import OODCore
import Pipeline

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Compile a manifest into its tasks (plan.json), for oodsynth run or a Ray cluster.",
        discussion: """
        Writes WORK/plan.json (WORK is the manifest's work folder, default OUT.work) and prints its \
        path. Each task is an `oodsynth task PLAN NAME` command line over fixed shards: decode | embed \
        per block of shards.images input images, one ID stream, gaps | caption once, generate | filter \
        per block of shards.targets targets, write, and train. The shards are fixed by the manifest, \
        never by the number of workers, so `oodsynth run` (which executes the same plan) and \
        `scripts/ray-run` write the same bytes. A task writes its output as .partial, renames it and \
        writes NAME_done.json last; a task whose done file is there is complete.

        Examples:
          oodsynth plan manifests/demo.yaml --out out/demo
          oodsynth task out/demo.work/plan.json id-00000
          scripts/ray-run manifests/demo.yaml --out out/demo --address auto
        """)

    @OptionGroup var source: ManifestOptions

    @Flag(help: "Keep an earlier run's work folder (its plan must be this plan) to continue it.")
    var resume = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try reportingFailure("plan") {
            let (plan, path, _) = try Self.prepare(source, resume: resume)
            Diagnostics(quiet: common.quiet).info("plan: \(plan.tasks.count) tasks in \(path)")
            FileHandle.standardOutput.write(Data((path + "\n").utf8))
        }
    }

    /// Compiles the manifest and stores the plan in a work folder that is new, or, to resume, holds
    /// the same plan. Shared with `run`, so both refuse the same leftovers.
    static func prepare(_ source: ManifestOptions, resume: Bool, check: Bool = false) throws -> (Plan, String, RunManifest) {
        let manifest = try RunManifest.load(path: source.manifest, overrides: source.overrides, out: source.out)
        let plan = try PlanCompiler(manifest: manifest, cwd: FileManager.default.currentDirectoryPath).compile()
        let planPath = Plan.path(work: manifest.work)
        if check { return (plan, planPath, manifest) }
        let files = FileManager.default
        if files.fileExists(atPath: manifest.work) && !resume {
            throw PipelineError.invalidOption("\(manifest.work) holds an earlier run's work: add --resume to continue it, or remove it")
        }
        let overwrite = manifest.sections["write"]?.contains { $0.key == "overwrite" && $0.value == .flag(true) } ?? false
        if !resume, !overwrite, let contents = try? files.contentsOfDirectory(atPath: manifest.out), !contents.isEmpty {
            throw PipelineError.invalidOption("\(manifest.out) is not empty: set write.overwrite: true, or choose another out")
        }
        let encoded = try plan.encoded()
        if resume, let stored = files.contents(atPath: planPath), stored != encoded {
            throw PipelineError.invalidOption("\(planPath): the earlier run had another plan (the manifest, its --set values or its inputs changed); remove \(manifest.work) to start over")
        }
        do {
            try files.createDirectory(atPath: manifest.work, withIntermediateDirectories: true)
            try encoded.write(to: URL(fileURLWithPath: planPath), options: .atomic)
        } catch {
            throw PipelineError.outputFailed(planPath, reason: "cannot write the plan: \(error.localizedDescription)")
        }
        return (plan, planPath, manifest)
    }
}
