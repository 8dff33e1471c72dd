import Foundation
import Testing

/// The help a user reads: every command explains itself with examples and its options.
@Suite struct HelpTests {
    @Test func rootHelpListsTheStages() throws {
        let run = try Shell.run("oodsynth --help")
        #expect(run.status == 0)
        let text = String(decoding: run.stdout, as: UTF8.self)
        for command in ["decode", "embed", "fit", "gaps", "caption", "generate", "filter", "write", "run", "plan", "task", "knn", "inspect", "evaluate", "train", "score"] {
            #expect(text.contains(command), "\(text)")
        }
    }

    @Test(arguments: [
        ("decode", ["Examples:", "--max-side", "--max-pixels", "--format", "--label-from", "--workers", "--output", "--range", "--alpha", "composite-black"]),
        ("embed", ["Examples:", "--model", "--batch", "--input", "--output", "builtin", "--backend", "worker:python3 scripts/embed-worker.py"]),
        ("fit", ["Examples:", "--out", "--hold-out", "--text-model", "--seed", "--centroids", "--ridge", "--overwrite"]),
        ("gaps", ["Examples:", "--count", "--method", "--seed", "--space", "--k", "--support-percentile", "--far", "--sigma", "mix", "--self-knn"]),
        ("plan", ["Examples:", "--out", "--set", "--resume", "plan.json", "shards.images", "scripts/ray-run"]),
        ("task", ["Examples:", "_done.json", ".partial", "oodsynth plan"]),
        ("knn", ["Examples:", "--rows", "--k", "--space", "--input", "--output", "--self-knn"]),
        ("caption", ["Examples:", "--per-gap", "--model", "--lambda", "--pool", "--wordnet", "--seed", "NegLabel", "--concepts", "llm:URL", "wordnet+llm:URL", "--llm-model", "--llm-api-key-env", "--llm-concepts-per-class", "--llm-share", "--llm-cache", "--embed-cache"]),
        ("generate", ["Examples:", "--backend", "--references", "--size", "--steps", "--guidance", "--seed", "worker:CMD", "a1111:URL", "--timeout"]),
        ("filter", ["Examples:", "--references", "--min-alignment", "--rank", "--max-id-similarity", "--min-novelty", "--dedup", "--rejects", "p95"]),
        ("run", ["Examples:", "--resume", "--set", "--out", "manifest", "keep-work", "shards:", "oodsynth plan"]),
        ("evaluate", ["Examples:", "--id-train", "--id-test", "--ood-test", "--synthetic", "--adapter", "--json", "--html", "MCM", "AUROC"]),
        ("train", ["Examples:", "--id-train", "--synthetic", "--out", "--negatives", "--scale", "--epochs", "--outlier-weights", "--lr", "--seed", "validation"]),
        ("score", ["Examples:", "--adapter", "--model", "id_score", "--input", "--output"]),
        ("inspect", ["Examples:", "--html", "--samples", "sha256"]),
        ("write", ["Examples:", "--out", "--prefix", "--max-count", "--max-bytes", "--overwrite", "--allow-empty"]),
    ])
    func commandHelpHasExamplesAndOptions(command: String, expected: [String]) throws {
        let run = try Shell.run("oodsynth \(command) --help")
        #expect(run.status == 0)
        let text = String(decoding: run.stdout, as: UTF8.self)
        for word in expected {
            #expect(text.contains(word), "\(command) --help lacks \(word)")
        }
    }

    @Test func badOptionCombinationIsRefusedBeforeWork() throws {
        let run = try Shell.run("oodsynth decode Samples/bad/mixed.tar --quality 0")
        #expect(run.status != 0)
        #expect(run.stderr.contains("--quality"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        let fit = try Shell.run("oodsynth fit --out /nonexistent/model --patch-size 40 < /dev/null")
        #expect(fit.status != 0)
        #expect(fit.stderr.contains("patch_size 40"), "\(fit.stderr)")
    }

    @Test func refusesToWriteBinaryToATerminal() throws {
        // `script` gives the command a pseudo-terminal as stdout.
        try #require(Shell.run("command -v script").status == 0, "util-linux script is needed")
        let run = try Shell.run("script -qec 'oodsynth decode Samples/bad/mixed.tar -q' /dev/null")
        #expect(run.status != 0)
        #expect(String(decoding: run.stdout, as: UTF8.self).contains("terminal"))
    }
}
