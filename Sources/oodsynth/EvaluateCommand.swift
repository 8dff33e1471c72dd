import ArgumentParser
import Foundation
import OODCore
import Pipeline
import Training

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure OOD detection on frozen embeddings, with and without synthetic outliers.",
        discussion: """
        Decodes and embeds each set with --model, then scores ID-test against OOD-test (ID is the \
        positive class) with the baselines: MCM (zero-shot, class prompts, T=1), kNN (k=50, cosine), a \
        linear probe's MSP and energy; and, for each --synthetic set, the probe trained with outlier \
        exposure (MSP, energy), the energy-bounded probe, and a binary ID-vs-synthetic head. Metrics: \
        AUROC, FPR at 95% TPR, AUPR-In, AUPR-Out, in percent, and ID accuracy where the detector \
        classifies. Each set is what decode reads: a folder of class folders, an archive, shards, or a \
        folder written by oodsynth write. Class labels come from the folders.

        Examples:
          oodsynth evaluate --id-train data/train --id-test data/test --ood-test data/ood --synthetic out/demo
          oodsynth evaluate --id-train data/train --id-test data/test --ood-test data/ood --adapter models/adapter
          oodsynth evaluate --model ~/models/clip-vit-base-patch32 --id-train train.tar --id-test test.tar \\
              --ood-test ood.tar --synthetic out/a --synthetic out/b --json table.json --html report.html
        """)

    @Option(help: "builtin, a folder from oodsynth fit, or a CLIP folder.")
    var model = "builtin"

    @Option(help: "ID training set (repeatable).")
    var idTrain: [String] = []

    @Option(help: "ID test set (repeatable).")
    var idTest: [String] = []

    @Option(help: "OOD test set (repeatable).")
    var oodTest: [String] = []

    @Option(help: "A synthetic outlier set, e.g. a folder written by oodsynth run (repeatable: compared side by side).")
    var synthetic: [String] = []

    @Option(help: "An adapter folder written by oodsynth train on --model (repeatable): adds its rows.")
    var adapter: [String] = []

    @Option(help: "Class prompt for MCM; {label} is the class name.")
    var prompt = "a photo of a {label}"

    @Option(help: "Neighbours for the kNN detector.")
    var k = 50

    @Option(help: "Inverse L2 strength of the probes (sklearn's C).")
    var c = 1.0

    @Option(help: "Weight of the outlier term in outlier exposure and the energy margin.")
    var outlierWeight = 0.5

    @Option(help: "Write the table as JSON here too.")
    var json: String?

    @Option(help: "Write an HTML report here: the table, ROC curves and the synthetic samples the best baseline finds most ID-like.")
    var html: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !idTrain.isEmpty, !idTest.isEmpty, !oodTest.isEmpty else { throw ValidationError("--id-train, --id-test and --ood-test are required") }
        guard prompt.contains("{label}") else { throw ValidationError("--prompt must contain {label}") }
        guard k >= 1, c > 0, outlierWeight >= 0 else { throw ValidationError("--k and --c must be positive, --outlier-weight not negative") }
    }

    func run() throws {
        try reportingFailure("evaluate") {
            signal(SIGPIPE, SIG_IGN)
            try SetEmbedder.checkInputs(idTrain + idTest + oodTest + synthetic)
            let diagnostics = Diagnostics(quiet: common.quiet)
            let loaded = try ModelResolver.load(model, diagnostics: diagnostics)
            guard loaded.image != nil else { throw PipelineError.invalidOption("--model \(model) has no image tower") }
            let adapters = try adapter.map { ($0, try AdapterFolder.read(URL(fileURLWithPath: $0), baseModel: loaded.text.identity)) }
            let embedder = try SetEmbedder(model: model, diagnostics: diagnostics, command: "evaluate")
            defer { embedder.removeScratch() }
            func embedded(_ name: String, _ paths: [String], keepImages: Bool = false) throws -> EmbeddedSet {
                try embedder.embed(name, paths, keepImages: keepImages)
            }
            let train = try embedded("ID-train", idTrain)
            let test = try embedded("ID-test", idTest)
            let ood = try embedded("OOD-test", oodTest)
            let synthetics = try synthetic.map { try embedded($0, [$0], keepImages: true) }
            let classNames = Array(Set(train.labels.compactMap { $0 })).sorted()
            guard classNames.count >= 2 else {
                throw PipelineError.inputFailed(idTrain.joined(separator: ", "), reason: "needs at least 2 classes (class folders), found \(classNames.count)")
            }
            let prompts = try loaded.text.embed(texts: classNames.map { prompt.replacingOccurrences(of: "{label}", with: $0.replacingOccurrences(of: "_", with: " ")) })
            var options = OODEvaluator.Options()
            options.k = k
            options.c = c
            options.outlierWeight = outlierWeight
            for (path, folder) in adapters where folder.config.classes != classNames {
                throw PipelineError.inputFailed(path, reason: "was trained on classes \(folder.config.classes), ID-train has \(classNames)")
            }
            let report = try OODEvaluator(options: options).evaluate(
                idTrain: train, idTest: test, oodTest: ood, synthetic: synthetics, classNames: classNames, prompts: prompts,
                adapters: adapters.map { ($0.0, $0.1.adapter) })
            FileHandle.standardOutput.write(Data(report.markdown.utf8))
            if let html {
                do {
                    try EvaluationHTML.render(report, synthetic: synthetics).write(toFile: html, atomically: true, encoding: .utf8)
                } catch {
                    throw PipelineError.outputFailed(html, reason: error.localizedDescription)
                }
                diagnostics.info("evaluate: report written to \(html)")
            }
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                do {
                    try encoder.encode(report).write(to: URL(fileURLWithPath: json))
                } catch {
                    throw PipelineError.outputFailed(json, reason: error.localizedDescription)
                }
            }
        }
    }
}
