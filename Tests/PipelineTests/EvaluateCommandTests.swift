import Foundation
import Testing

/// `oodsynth evaluate` on a class split of Samples (8 ID classes halved into train and test, 4 unseen
/// classes as OOD), with the small synthetic set RunCommandTests makes.
@Suite struct EvaluateCommandTests {
    static let split: Result<URL, Error> = Result {
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("python3 scripts/split-samples.py Samples/openclipart-12.tar '\(dir.path)'")
        guard run.status == 0 else { throw GapsCommandTests.ShellFailure(message: run.stderr) }
        return dir
    }

    struct Table: Decodable {
        struct Row: Decodable {
            var detector: String
            var synthetic: Bool
            var auroc: Double
            var fpr95: Double
            var aupr_in: Double
            var aupr_out: Double
            var id_accuracy: Double?
        }
        var rows: [Row]
        var best_baseline: String?
        var best_synthetic: String?
        var auroc_gain: Double?
    }

    @Test func tableWithBaselinesAndSyntheticDetectors() throws {
        let split = try Self.split.get().path
        let synthetic = try RunCommandTests.piped.get().path
        let run = try Shell.run("""
            oodsynth evaluate --id-train '\(split)/id-train' --id-test '\(split)/id-test' --ood-test '\(split)/ood-test' \
              --synthetic '\(synthetic)' --k 10 --json '\(split)/table.json' --html '\(split)/report.html'
            """)
        #expect(run.status == 0, "\(run.stderr)")
        let markdown = String(decoding: run.stdout, as: UTF8.self)
        #expect(markdown.hasPrefix("| detector | synthetic | AUROC | FPR95 | AUPR-In | AUPR-Out | ID acc. |"), "\(markdown)")
        #expect(markdown.contains("AUROC gain"), "\(markdown)")
        let table = try JSONDecoder().decode(Table.self, from: Data(contentsOf: URL(fileURLWithPath: split + "/table.json")))
        #expect(table.rows.map(\.detector) == ["MCM", "kNN (k=10)", "probe MSP", "probe energy", "probe + OE, MSP",
                                               "probe + OE, energy", "probe + energy margin", "ID-vs-synthetic head"])
        #expect(table.rows.filter(\.synthetic).count == 4)
        for row in table.rows {
            for value in [row.auroc, row.fpr95, row.aupr_in, row.aupr_out] { #expect((0...100).contains(value), "\(row)") }
        }
        // The probe classifies 8 classes far above chance (12.5%).
        #expect((table.rows[2].id_accuracy ?? 0) > 50, "\(table.rows[2])")
        let bestBase = table.rows.filter { !$0.synthetic }.map(\.auroc).max() ?? 0
        let bestSynthetic = table.rows.filter(\.synthetic).map(\.auroc).max() ?? 0
        #expect(abs((table.auroc_gain ?? .nan) - (bestSynthetic - bestBase)) < 0.02, "\(table)")
        let html = try String(contentsOfFile: split + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<polyline").count - 1 == 8, "one ROC curve per row")
        #expect(html.contains("finds most ID-like") && html.contains("data:image/png;base64,"))
    }

    @Test func missingSetsAreRefused() throws {
        let run = try Shell.run("oodsynth evaluate --id-train Samples/openclipart-12.tar")
        #expect(run.status != 0 && run.stderr.contains("--id-test"), "\(run.stderr)")
        let split = try Self.split.get().path
        let nowhere = try Shell.run("oodsynth evaluate --id-train '\(split)/id-train' --id-test '\(split)/id-test' --ood-test /no/such/dir")
        #expect(nowhere.status != 0 && nowhere.stderr.contains("/no/such/dir"), "\(nowhere.stderr)")
        #expect(nowhere.stderr.split(separator: "\n").count == 1, "\(nowhere.stderr)")
    }
}
