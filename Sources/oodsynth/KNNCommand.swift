import ArgumentParser
import OODCore
import Pipeline

struct KNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn",
        abstract: "The k-th-NN distances of a block of the ID set's points (the map half of gaps' density).",
        discussion: """
        Reads an embedded ID stream as gaps does and writes, for ID points FROM..<TO, the distance \
        (1 - cosine) to their k-th nearest other ID point, as a float32 .npy vector. gaps --self-knn \
        takes the blocks in order and skips its own N x N products; each point's distance has the same \
        bits in any block, so the gaps are the same. A plan (oodsynth plan) cuts the set into blocks of \
        shards.knn points and runs them as tasks, on a cluster in parallel. --k and --space must be \
        gaps' own.

        Examples:
          oodsynth knn --rows 0:8192 --input id.tar --output knn-00000.npy
          oodsynth knn --rows 8192:16384 --input id.tar --output knn-00001.npy
          oodsynth gaps --self-knn knn-00000.npy --self-knn knn-00001.npy < id.tar > gaps.tar
        """)

    @Option(help: ArgumentHelp("The ID points, by position in the set (the stream's usable embeddings).", valueName: "FROM:TO"))
    var rows: String

    @Option(help: "Neighbours for the density, as gaps --k (at most a tenth of the ID set).")
    var k = 50

    @Option(help: "Embeddings to use, as gaps --space: image or text.")
    var space = GapsStage.Space.image

    @Option(name: .shortAndLong, help: "Embedded ID stream (default: stdin).")
    var input: String?

    @Option(name: .shortAndLong, help: "The .npy file to write.")
    var output: String

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        _ = try DecodeCommand.parseRange(rows)
    }

    func run() throws {
        try StageRunner.run("knn", quiet: common.quiet, input: .some(input), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        var options = GapsStage.Options()
        options.k = k
        options.space = space
        let stage = KNNStage(gaps: GapsStage(options: options, diagnostics: diagnostics), rows: try DecodeCommand.parseRange(rows), output: output)
        return PipelineStage(name: "knn") { input, name, _ in
            guard let input else { throw PipelineError.unconnected("knn") }
            return try stage.run(reading: input, inputName: name)
        }
    }
}
