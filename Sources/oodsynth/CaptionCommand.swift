import ArgumentParser
import Captions
import Encoders
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

        Concepts from a language model (after EOE): --concepts llm:URL asks an OpenAI-compatible \
        chat server (llama.cpp's server, vLLM, Ollama, LM Studio, TGI; URL is its base, e.g. \
        http://127.0.0.1:8080/v1) for concepts near, beside (fine-grained) and far from each ID \
        class, one POST URL/chat/completions per class and kind (temperature 0, --seed). Its \
        proposals pass the same gates as WordNet's nouns: no ID concept, NegLabel's test at WordNet's \
        cut, and every chosen caption nearer its gap than any ID class prompt. wordnet+llm:URL mixes \
        both, the LLM's concepts taking at least --llm-share of each gap's captions when enough pass; \
        if the server is down it warns and goes on with WordNet. Answers are cached on disk \
        (--llm-cache), so a rerun or run --resume gives the same bytes without asking again. Each \
        caption's json records its source (wordnet, or llm with model, kind and class).

        Examples:
          oodsynth gaps --count 100 < embedded.tar | oodsynth caption --per-gap 4 > captioned.tar
          oodsynth caption --model models/clipart --lambda 0.5 -i gaps.tar -o captioned.tar
          oodsynth caption --concepts wordnet+llm:http://127.0.0.1:8080/v1 --llm-model qwen2.5-7b-instruct -i gaps.tar -o c.tar
          OPENAI_API_KEY=... oodsynth caption --concepts llm:https://api.openai.com/v1 --llm-model gpt-4o-mini \\
            --llm-api-key-env OPENAI_API_KEY -i gaps.tar -o c.tar
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

    @Option(help: "Folder of cached caption-pool embeddings, by model, kernel and texts (default: $XDG_CACHE_HOME/oodsynth/text-embeddings or ~/.cache/oodsynth/text-embeddings; 'none': no cache).")
    var embedCache: String?

    @Option(help: "Where new concepts come from: wordnet, llm:URL (a chat model alone), or wordnet+llm:URL (both).")
    var concepts = "wordnet"

    @Option(help: "The chat model's name as the server knows it (llama.cpp's server takes any).")
    var llmModel = "default"

    @Option(help: "Environment variable that holds the server's API key (sent as a Bearer token; never give a key on the command line).")
    var llmApiKeyEnv: String?

    @Option(help: "Concepts asked for per ID class and kind (near, fine-grained, far).")
    var llmConceptsPerClass = 10

    @Option(help: "With wordnet+llm: the least share of each gap's captions that name the LLM's concepts.")
    var llmShare = 0.5

    @Option(help: "Folder of cached LLM answers (default: $XDG_CACHE_HOME/oodsynth/llm or ~/.cache/oodsynth/llm; 'none': no cache).")
    var llmCache: String?

    @Option(help: "Seconds one LLM request may take, retries included.")
    var llmTimeout = 300.0

    @Option(help: "LLM requests in flight at once.")
    var llmConcurrency = 4

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
        let sources = try conceptSources()
        guard (0...1).contains(llmShare) else { throw ValidationError("--llm-share must be in [0, 1]") }
        guard llmConceptsPerClass >= 1, llmConcurrency >= 1, llmTimeout > 0 else {
            throw ValidationError("--llm-concepts-per-class, --llm-concurrency and --llm-timeout must be positive")
        }
        if sources.url != nil, let variable = llmApiKeyEnv, ProcessInfo.processInfo.environment[variable] == nil {
            throw ValidationError("--llm-api-key-env \(variable): no such environment variable is set")
        }
    }

    /// `--concepts` as the source and the server's base URL.
    func conceptSources() throws -> (sources: CaptionStage.ConceptSources, url: String?) {
        if concepts == "wordnet" { return (.wordnet, nil) }
        for sources in [CaptionStage.ConceptSources.llm, .both] where concepts.hasPrefix(sources.rawValue + ":") {
            let url = String(concepts.dropFirst(sources.rawValue.count + 1))
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("--concepts \(concepts): \(url) is not an http(s) URL (e.g. llm:http://127.0.0.1:8080/v1)")
            }
            return (sources, url)
        }
        throw ValidationError("--concepts must be wordnet, llm:URL or wordnet+llm:URL, not \(concepts)")
    }

    /// A cache folder: the option's, none, or NAME under the user's cache folder.
    func cacheFolder(_ option: String?, name: String) -> URL? {
        if option == "none" { return nil }
        if let option { return URL(fileURLWithPath: option) }
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("oodsynth/" + name)
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
        let (sources, url) = try conceptSources()
        options.concepts = sources
        options.llmShare = llmShare
        let llm = url.map { url in
            let key = llmApiKeyEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
            let client = ChatClient(baseURL: url, apiKey: key, cache: cacheFolder(llmCache, name: "llm"), timeout: llmTimeout)
            // The seed that makes the pool makes the answers too: a server that honours it repeats them.
            return LLMConceptSource(client: client, model: llmModel, seed: Int(truncatingIfNeeded: seed),
                                    perClass: llmConceptsPerClass, concurrency: llmConcurrency)
        }
        // The pool's captions are the same for the same model, seed and options: embedded once, then read.
        let text = cacheFolder(embedCache, name: "text-embeddings").map { CachedTextEncoder(base: loaded.text, folder: $0) as TextEncoder } ?? loaded.text
        let stage = CaptionStage(text: text, wordnet: database, options: options, llm: llm, diagnostics: diagnostics)
        return PipelineStage(name: "caption") { input, name, output in
            guard let input, var output else { throw PipelineError.unconnected("caption") }
            return try stage.run(reading: input, inputName: name, into: &output).description
        }
    }
}
