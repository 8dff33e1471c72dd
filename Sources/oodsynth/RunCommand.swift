import ArgumentParser
import Foundation
import OODCore
import Pipeline

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole pipeline from a manifest, in one process.",
        discussion: """
        Runs decode | embed, then gaps | caption | generate, then filter | write (with fit: {...}, \
        decode, fit the builtin model on it, and embed with that model): the same stages \
        as the commands chained by pipes, with the same bytes between them (and so the same output), \
        each stage on a thread of its own with a pipe's worth of samples in flight. The embedded ID \
        set and the generated samples are kept in a work folder (default OUT.work) as each phase \
        completes; after a crash or kill, run again with --resume to redo only the unfinished phase. \
        The work folder is removed at the end unless keep-work: true. With train: {...}, an adapter \
        is trained last on the input and the written dataset, into OUT/adapter/ (oodsynth train).

        The manifest (YAML) names the input, the output folder and each stage's options, spelled as \
        on the command line without the dashes; model and seed at the top apply to every stage that \
        takes them. Everything is checked before any work starts: an unknown key, a bad value or a \
        missing file stops the run with the key named. Relative paths are relative to the current \
        folder.

          input: Samples/openclipart-12.tar     # or a list; folders, archives, shards
          out: out/demo
          model: builtin                         # or a CLIP folder
          seed: 0
          gaps: {method: mix, count: 24}
          caption: {per-gap: 2}
          generate: {backend: builtin, size: 96}
          filter: {min-novelty: q0.5}
          write: {max-count: 1000}

        Examples:
          oodsynth run manifests/demo.yaml
          oodsynth run manifests/demo.yaml --out out/try2 --set gaps.count=100 --set seed=7
          oodsynth run manifests/clip-diffusers.yaml --check
          oodsynth run manifests/clip-diffusers.yaml --resume
        """)

    @Argument(help: "The manifest (YAML).")
    var manifest: String

    @Option(help: "Output folder (instead of the manifest's out).")
    var out: String?

    @Option(name: .customLong("set"), help: "Override a manifest value: key=value or stage.key=value (repeatable).")
    var overrides: [String] = []

    @Flag(help: "Continue a run that was killed: keep its completed phases.")
    var resume = false

    @Flag(help: "Check the manifest (keys, values, files) and stop before any work.")
    var check = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try reportingFailure("run") {
            // A stage that fails closes its input pipe; the stage writing into it must get EPIPE, not die.
            signal(SIGPIPE, SIG_IGN)
            var manifest = try RunManifest.load(path: self.manifest, overrides: overrides, out: out)
            let work = manifest.work
            let decoded = work + "/decoded.tar", model = work + "/model", idStream = work + "/id.tar"
            let generated = work + "/generated.tar"
            let fits = manifest.sections["fit"] != nil
            if fits {
                guard manifest.model == "builtin" else {
                    throw PipelineError.invalidOption("\(manifest.source): model: fit makes the model; leave model out (or builtin)")
                }
                manifest.model = model
            } else if manifest.model != "builtin" && !FileManager.default.fileExists(atPath: manifest.model) {
                throw PipelineError.invalidOption("\(manifest.source): model: \(manifest.model): no such folder")
            }
            var writeArguments = manifest.arguments(for: "write") + ["--out", manifest.out]
            if resume && !writeArguments.contains("--overwrite") { writeArguments.append("--overwrite") }

            // Every stage's options parsed and validated before any work.
            let decode = try parse(DecodeCommand.self, "decode", manifest.inputs + manifest.arguments(for: "decode"), manifest)
            let fit = try parse(FitCommand.self, "fit", [decoded, "--out", model] + manifest.arguments(for: "fit"), manifest)
            let embed = try parse(EmbedCommand.self, "embed", manifest.arguments(for: "embed"), manifest)
            let gaps = try parse(GapsCommand.self, "gaps", manifest.arguments(for: "gaps"), manifest)
            let caption = try parse(CaptionCommand.self, "caption", manifest.arguments(for: "caption"), manifest)
            let generate = try parse(GenerateCommand.self, "generate", manifest.arguments(for: "generate") + ["--references", idStream], manifest)
            let filter = try parse(FilterCommand.self, "filter", manifest.arguments(for: "filter") + ["--references", idStream], manifest)
            let write = try parse(WriteCommand.self, "write", writeArguments, manifest)
            let adapter = manifest.out + "/adapter"
            let train = try manifest.sections["train"].map { _ in
                try parse(TrainCommand.self, "train", manifest.inputs.flatMap { ["--id-train", $0] }
                          + ["--synthetic", manifest.out, "--out", adapter, "--overwrite"] + manifest.arguments(for: "train"), manifest)
            }
            if let folder = caption.wordnet, !FileManager.default.fileExists(atPath: folder) {
                throw PipelineError.invalidOption("\(manifest.source): caption.wordnet: \(folder): no such folder")
            }
            if check {
                FileHandle.standardError.write(Data("\(manifest.source): OK (input \(manifest.inputs.joined(separator: ", ")), out \(manifest.out))\n".utf8))
                return
            }
            try prepare(work: work, out: manifest.out, overwrite: write.overwrite)

            let diagnostics = Diagnostics(quiet: common.quiet)
            // The stages keep their per-sample notes to themselves; the runner shows one progress
            // line for all of them and each stage's summary.
            let stageDiagnostics = Diagnostics(quiet: true)
            let makeDecode = ("decode", { try decode.makeStage(diagnostics: stageDiagnostics) })
            let makeEmbed = ("embed", { try embed.makeStage(diagnostics: stageDiagnostics) })
            var phases: [RunPhase] = []
            if fits {
                // The fit reads the decoded set, and embed reads it again with the fitted model.
                phases.append(RunPhase(name: "decode the ID set", stages: [makeDecode], input: nil, checkpoint: decoded))
                phases.append(RunPhase(name: "fit the builtin model", stages: [("fit", {
                    // A fit killed half way may have left part of a model folder.
                    try? FileManager.default.removeItem(atPath: model)
                    return try fit.makeStage(diagnostics: stageDiagnostics)
                })], input: decoded, checkpoint: nil, marker: model + ".done"))
                phases.append(RunPhase(name: "embed the ID set", stages: [makeEmbed], input: decoded, checkpoint: idStream))
            } else {
                phases.append(RunPhase(name: "embed the ID set", stages: [makeDecode, makeEmbed], input: nil, checkpoint: idStream))
            }
            phases += [
                RunPhase(name: "synthesize", stages: [
                    ("gaps", { try gaps.makeStage(diagnostics: stageDiagnostics) }),
                    ("caption", { try caption.makeStage(diagnostics: stageDiagnostics) }),
                    ("generate", { try generate.makeStage(diagnostics: stageDiagnostics) }),
                ], input: idStream, checkpoint: generated),
                RunPhase(name: "curate", stages: [
                    ("filter", { try filter.makeStage(diagnostics: stageDiagnostics) }),
                    ("write", { try write.makeStage(diagnostics: stageDiagnostics) }),
                ], input: generated, checkpoint: nil),
            ]
            let summaries = try Runner(diagnostics: diagnostics).run(phases, resume: resume)
            for summary in summaries { diagnostics.info(summary) }
            // The adapter folder appears whole (written, then renamed), so a resumed run keeps one that is there.
            if var train, !(resume && FileManager.default.fileExists(atPath: adapter + "/config.json")) {
                train.common.quiet = common.quiet
                try train.run()
            }
            if !manifest.keepWork { try? FileManager.default.removeItem(atPath: work) }
            diagnostics.info("run: the dataset is in \(manifest.out)/ (manifest.json lists its shards)")
        }
    }

    /// The stage's command, parsed from the manifest's options; a problem names the stage and key.
    func parse<C: ParsableCommand>(_ type: C.Type, _ stage: String, _ arguments: [String], _ manifest: RunManifest) throws -> C {
        do {
            guard let command = try C.parseAsRoot(arguments) as? C else {
                throw PipelineError.invalidOption("\(manifest.source): \(stage): not a stage")
            }
            return command
        } catch let error as PipelineError {
            throw error
        } catch {
            let message = C.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw PipelineError.invalidOption("\(manifest.source): \(stage): \(message)")
        }
    }

    /// The work folder: new for a new run, kept for --resume. Refuses to start over a run's leftovers.
    func prepare(work: String, out: String, overwrite: Bool) throws {
        let files = FileManager.default
        if files.fileExists(atPath: work) && !resume {
            throw PipelineError.invalidOption("\(work) holds an earlier run's work: add --resume to continue it, or remove it")
        }
        if !resume, !overwrite, let contents = try? files.contentsOfDirectory(atPath: out), !contents.isEmpty {
            throw PipelineError.invalidOption("\(out) is not empty: set write.overwrite: true, or choose another out")
        }
        do {
            try files.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.outputFailed(work, reason: "cannot create the work folder: \(error.localizedDescription)")
        }
    }
}
