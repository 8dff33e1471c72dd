import ArgumentParser
import Captions
import Foundation
import OODCore
import Pipeline

struct CaptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Write counterfactual captions for every gap (GAPKEY_cNN samples: txt, txt.npy, emb.npy, json).",
        discussion: """
        Builds a concept inventory from WordNet 3.0 (Debian wordnet-base; --wordnet DIR or WNHOME): \
        picturable nouns, their parts, materials, scenes and visual adjectives, without the ID concepts \
        (each ID class name's senses, synonyms, every hyponym, its near hypernyms, and nouns whose \
        definition names the class), then drops the nouns most like the ID class prompts (NegLabel's \
        quantile test). Captions in six template families (novel, hybrid, material, context, \
        attribute, interpolation) are embedded once with the stream's text tower; each gap takes the \
        --per-gap captions that best fit it: score = similarity to the gap - lambda x the largest \
        similarity to an ID class prompt, chosen with maximal marginal relevance, no caption twice.

        Examples:
          oodsynth gaps --count 100 < embedded.tar | oodsynth caption --per-gap 4 > captioned.tar
          oodsynth caption --model models/clipart --lambda 0.5 -i gaps.tar -o captioned.tar
        """)

    @Option(help: "Captions per gap.")
    var perGap = 4

    @Option(help: "The text tower: builtin, a folder from oodsynth fit, or a CLIP folder (the model the gaps were made with).")
    var model = "builtin"

    @Option(help: "Weight of the penalty for similarity to the ID class prompts.")
    var lambda: Float = 1

    @Option(help: "Captions written and embedded once per run.")
    var pool = 6000

    @Option(help: "Best-scoring captions each gap chooses among.")
    var candidates = 200

    @Option(help: "Maximal-marginal-relevance weight of similarity to the captions already chosen.")
    var diversity: Float = 0.3

    @Option(help: "NegLabel test: quantile of a noun's similarities to the ID class prompts.")
    var negQuantile = 0.95

    @Option(help: "NegLabel test: share of nouns kept, those least like the ID classes.")
    var negKeep = 0.85

    @Option(help: "Levels of hypernyms above each ID class that are excluded too.")
    var hypernymDepth = 1

    @Option(help: "ID class prompt; {label} is the class name. The bare name: a template shared with the captions (\"a photo of a\") would make every caption look like an ID class.")
    var prompt = "{label}"

    @Option(help: "Seed of the caption pool.")
    var seed: UInt64 = 0

    @Option(help: "WordNet 3.0 database folder (default: $WNHOME or /usr/share/wordnet).")
    var wordnet: String?

    @OptionGroup var stream: StreamOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard perGap >= 1, pool >= 1, candidates >= 1 else { throw ValidationError("--per-gap, --pool and --candidates must be at least 1") }
        guard perGap <= candidates else { throw ValidationError("--per-gap must not exceed --candidates") }
        guard (0...1).contains(negQuantile), negKeep > 0 && negKeep <= 1 else {
            throw ValidationError("--neg-quantile must be in [0, 1] and --neg-keep in (0, 1]")
        }
        guard lambda >= 0, diversity >= 0, hypernymDepth >= 0 else { throw ValidationError("--lambda, --diversity and --hypernym-depth must not be negative") }
        guard prompt.contains("{label}") else { throw ValidationError("--prompt must contain {label}") }
    }

    func run() throws {
        try StageRunner.run("caption", quiet: common.quiet, input: .some(stream.input), output: .some(stream.output), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        let folder = wordnet.map { URL(fileURLWithPath: $0) } ?? WordNet.defaultFolder()
        let database = try WordNet(folder: folder)
        let loaded = try ModelResolver.load(model, diagnostics: diagnostics)
        var options = CaptionStage.Options()
        options.perGap = perGap
        options.lambda = lambda
        options.poolSize = pool
        options.candidatesPerGap = candidates
        options.diversity = diversity
        options.negQuantile = negQuantile
        options.negKeep = negKeep
        options.hypernymDepth = hypernymDepth
        options.prompt = prompt
        options.seed = seed
        let stage = CaptionStage(text: loaded.text, wordnet: database, options: options, diagnostics: diagnostics)
        return PipelineStage(name: "caption") { input, name, output in
            guard let input, var output else { throw PipelineError.unconnected("caption") }
            return try stage.run(reading: input, inputName: name, into: &output).description
        }
    }
}
