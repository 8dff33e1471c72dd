import ArgumentParser
import Foundation
import OODCore
import Pipeline

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole pipeline from a manifest, in one process.",
        discussion: """
        The manifest compiles to a plan of tasks over fixed shards (oodsynth plan): decode | embed per \
        block of input images, the density's kNN per block of ID points, gaps | caption, generate | \
        filter per block of captioned targets, write, and train (with train: {...}: an adapter on the \
        input and the written dataset, into OUT/adapter/). run executes the plan in this process, each \
        task's stages on threads of their own joined by pipes that carry the same bytes as the \
        commands chained by shell pipes (and so the same output); scripts/ray-run executes the same \
        plan on a Ray cluster, to the same bytes. With fit: {...}, the builtin model is fitted on the \
        decoded input first and used for embed, caption and filter. Every task's output is kept in a \
        work folder (default OUT.work) as it completes; after a crash or kill, run again with \
        --resume to redo only the unfinished tasks. The work folder is removed at the end unless \
        keep-work: true.

        The manifest (YAML) names the input, the output folder and each stage's options, spelled as \
        on the command line without the dashes; model and seed at the top apply to every stage that \
        takes them. shards: sets the cut (never the number of workers), resources: what a cluster \
        gives each kind of task. Everything is checked before any work starts: an unknown key, a bad \
        value or a missing file stops the run with the key named. Relative paths are relative to the \
        current folder.

          input: Samples/openclipart-12.tar     # or a list; folders, archives, shards
          out: out/demo
          model: builtin                         # or a CLIP folder
          seed: 0
          gaps: {method: mix, count: 24}
          caption: {per-gap: 2}
          generate: {backend: builtin, size: 96}
          filter: {min-novelty: q0.5}
          write: {max-count: 1000}
          shards: {images: 1000, targets: 256, knn: 8192}   # the defaults
          resources: {generate: {gpus: 1}}                  # for scripts/ray-run

        Examples:
          oodsynth run manifests/demo.yaml
          oodsynth run manifests/demo.yaml --out out/try2 --set gaps.count=100 --set seed=7
          oodsynth run manifests/clip-diffusers.yaml --check
          oodsynth run manifests/clip-diffusers.yaml --resume
        """)

    @OptionGroup var source: ManifestOptions

    @Flag(help: "Continue a run that was killed: keep its completed tasks.")
    var resume = false

    @Flag(help: "Check the manifest (keys, values, files) and stop before any work.")
    var check = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try reportingFailure("run") {
            // A stage that fails closes its input pipe; the stage writing into it must get EPIPE, not die.
            signal(SIGPIPE, SIG_IGN)
            let (plan, planPath, manifest) = try PlanCommand.prepare(source, resume: resume, check: check)
            if check {
                let inputs = plan.tasks.first?.inputs.joined(separator: ", ") ?? ""
                FileHandle.standardError.write(Data("\(source.manifest): OK (input \(inputs), out \(plan.out), \(plan.tasks.count) tasks)\n".utf8))
                return
            }
            let diagnostics = Diagnostics(quiet: common.quiet)
            // The stages keep their per-sample notes to themselves; the runner shows one progress
            // line for all of them and each stage's summary.
            let executor = TaskExecutor(plan: plan, planPath: planPath, diagnostics: diagnostics, stageDiagnostics: Diagnostics(quiet: true))
            var summaries: [String] = []
            var skipped = 0
            for task in plan.tasks {
                if resume, let record = TaskRecord.load(path: task.done) {
                    skipped += 1
                    summaries += record.summaries
                    continue
                }
                summaries += try executor.run(task).summaries
            }
            if skipped > 0 { diagnostics.info("run: \(skipped) of \(plan.tasks.count) tasks complete in an earlier run") }
            for summary in summaries { diagnostics.info(summary) }
            if !manifest.keepWork { try? FileManager.default.removeItem(atPath: plan.work) }
            diagnostics.info("run: the dataset is in \(plan.out)/ (manifest.json lists its shards)")
        }
    }
}
