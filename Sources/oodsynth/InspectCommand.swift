import ArgumentParser
import Foundation
import OODCore
import Pipeline

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a written dataset; --html writes a report page with a contact sheet.",
        discussion: """
        Reads DIR/manifest.json and every shard: checks each shard against its recorded sha256, counts \
        samples by gap method, caption family and nearest ID class, and prints the distribution of the \
        filter's scores (alignment, novelty, ID similarity). --html FILE writes one self-contained page \
        with the same numbers, histograms and a contact sheet of --samples samples (image, caption, \
        nearest ID class, scores).

        Examples:
          oodsynth inspect out/demo
          oodsynth inspect out/demo --html out/demo-report.html --samples 96
        """)

    @Argument(help: "A folder written by oodsynth write or oodsynth run.")
    var directory: String

    @Option(help: "Write an HTML report here.")
    var html: String?

    @Option(help: "Samples on the contact sheet.")
    var samples = 48

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard samples >= 0 else { throw ValidationError("--samples must not be negative") }
    }

    func run() throws {
        try reportingFailure("inspect") {
            let diagnostics = Diagnostics(quiet: common.quiet)
            let report = try DatasetReport.read(directory, sheetSize: html == nil ? 0 : samples) { diagnostics.progress($0) }
            FileHandle.standardOutput.write(Data(report.text.utf8))
            if let html {
                do {
                    try HTMLReport.render(report).write(toFile: html, atomically: true, encoding: .utf8)
                } catch {
                    throw PipelineError.outputFailed(html, reason: error.localizedDescription)
                }
                diagnostics.info("inspect: report written to \(html)")
            }
            if !report.damaged.isEmpty { throw ExitCode(1) }
        }
    }
}
