import Foundation
import Yams

/// A pipeline manifest (YAML): the input, the output folder, and each stage's options under the
/// stage's name, spelled as its command-line options without the dashes:
///
///     input: Samples/openclipart-12.tar
///     out: out/demo
///     model: builtin
///     seed: 0
///     gaps: {method: mix, count: 24}
///     caption: {per-gap: 2}
///
/// `fit: {}` (or with fit's options) fits the builtin model on the decoded input first and uses it for
/// embed, caption and filter. `train: {}` (or with train's options) trains an adapter on the input and
/// the written dataset last, into `OUT/adapter/`. Relative paths are relative to the folder oodsynth runs in, as on the
/// command line. The options a
/// runner sets itself (inputs, outputs, references) are refused in a section; `model` and `seed` at
/// the top apply to every stage that takes them unless a section sets its own.
public struct RunManifest: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case scalar(String)
        case flag(Bool)
        case list([String])
    }

    /// The stages, in pipeline order.
    public static let stages = ["decode", "fit", "embed", "gaps", "caption", "generate", "filter", "write", "train"]
    public static let topKeys = ["input", "out", "work", "model", "seed", "keep-work", "shards", "resources"] + stages
    /// Options the runner sets, per stage.
    static let reserved: [String: Set<String>] = [
        "decode": ["output", "o", "quiet", "q"],
        "fit": ["out", "overwrite", "quiet", "q"],
        "embed": ["input", "i", "output", "o", "quiet", "q", "model"],
        "gaps": ["input", "i", "output", "o", "quiet", "q"],
        "caption": ["input", "i", "output", "o", "quiet", "q", "model"],
        "generate": ["input", "i", "output", "o", "quiet", "q", "references"],
        "filter": ["input", "i", "output", "o", "quiet", "q", "references", "model", "rejects"],
        "write": ["input", "i", "quiet", "q", "out"],
        "train": ["id-train", "synthetic", "out", "overwrite", "quiet", "q", "model"],
    ]
    /// Stages that take `--model` and `--seed` from the top level.
    static let takesModel: Set<String> = ["embed", "caption", "filter", "train"]
    static let takesSeed: Set<String> = ["fit", "gaps", "caption", "generate", "train"]

    public var source: String
    public var inputs: [String]
    public var out: String
    public var work: String
    public var keepWork: Bool
    public var model: String
    public var seed: String?
    /// Each stage's options in the order written.
    public var sections: [String: [(key: String, value: Value)]]
    /// How the work is cut into tasks (`shards:`): fixed by the manifest, never by the workers.
    public var shards = ShardSizes()
    /// What a cluster gives each kind of task (`resources:`).
    public var resources = TaskResources()

    public static func == (a: RunManifest, b: RunManifest) -> Bool {
        a.source == b.source && a.inputs == b.inputs && a.out == b.out && a.work == b.work && a.model == b.model
            && a.seed == b.seed && a.keepWork == b.keepWork && a.shards == b.shards && a.resources == b.resources
            && a.sections.mapValues { $0.map { "\($0.key)=\($0.value)" } } == b.sections.mapValues { $0.map { "\($0.key)=\($0.value)" } }
    }

    /// Reads and checks `path`, after applying `--set key=value` overrides (`seed=3`, `gaps.count=8`).
    public static func load(path: String, overrides: [String] = [], out: String? = nil) throws(RunManifestError) -> RunManifest {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        return try parse(String(decoding: data, as: UTF8.self), source: path, overrides: overrides, out: out)
    }

    public static func parse(_ text: String, source: String, overrides: [String] = [], out: String? = nil) throws(RunManifestError) -> RunManifest {
        var root: [(key: String, value: Node)]
        do {
            guard let node = try Yams.compose(yaml: text) else { throw RunManifestError.invalid(source, "the manifest is empty") }
            guard case .mapping(let mapping) = node else { throw RunManifestError.invalid(source, "the manifest must be a mapping of keys to values") }
            root = try mapping.map { pair throws(RunManifestError) in
                guard case .scalar(let key) = pair.key else { throw .invalid(source, "keys must be plain words") }
                return (key.string, pair.value)
            }
        } catch let error as RunManifestError {
            throw error
        } catch {
            throw .invalid(source, "not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        for override in overrides { try apply(override, to: &root, source: source) }

        var seen = Set<String>()
        for (key, _) in root {
            guard topKeys.contains(key) else {
                throw .invalid(source, "unknown key '\(key)' (known: \(topKeys.joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else { throw .invalid(source, "'\(key)' is given twice") }
        }
        func scalar(_ key: String) throws(RunManifestError) -> String? {
            guard let node = root.first(where: { $0.key == key })?.value else { return nil }
            guard case .scalar(let value) = node else { throw .invalid(source, "\(key) must be a single value") }
            return value.string
        }
        var inputs: [String] = []
        switch root.first(where: { $0.key == "input" })?.value {
        case .scalar(let value)?: inputs = [value.string]
        case .sequence(let items)?:
            for item in items {
                guard case .scalar(let value) = item else { throw .invalid(source, "input must be a path or a list of paths") }
                inputs.append(value.string)
            }
        case nil: throw .invalid(source, "input is missing: the images to start from (a folder, archive or stream)")
        default: throw .invalid(source, "input must be a path or a list of paths")
        }
        for input in inputs where input != "-" && !FileManager.default.fileExists(atPath: input) {
            throw .invalid(source, "input: \(input): no such file or folder")
        }
        let fromFile = try scalar("out")
        guard let outPath = out ?? fromFile, !outPath.isEmpty else {
            throw .invalid(source, "out is missing: the folder for the shards (or give --out)")
        }
        var keepWork = false
        if let text = try scalar("keep-work") {
            guard let flag = Bool(text) ?? ["yes": true, "no": false][text] else { throw .invalid(source, "keep-work must be true or false") }
            keepWork = flag
        }
        var sections: [String: [(key: String, value: Value)]] = [:]
        for stage in stages {
            guard let node = root.first(where: { $0.key == stage })?.value else { continue }
            if case .scalar(let value) = node, value.string.isEmpty || value.string == "~" || value.string == "null" { continue }
            guard case .mapping(let mapping) = node else { throw .invalid(source, "\(stage) must be a mapping of its options") }
            var options: [(key: String, value: Value)] = []
            for pair in mapping {
                guard case .scalar(let keyScalar) = pair.key else { throw .invalid(source, "\(stage): option names must be plain words") }
                let key = keyScalar.string
                if reserved[stage]?.contains(key) == true {
                    let why = key == "model" ? "set model at the top" : "the runner connects the stages itself"
                    throw .invalid(source, "\(stage).\(key): not allowed in a manifest (\(why))")
                }
                options.append((key, try value(of: pair.value, at: "\(stage).\(key)", source: source)))
            }
            sections[stage] = options
        }
        var manifest = RunManifest(source: source, inputs: inputs, out: outPath, work: try scalar("work") ?? outPath + ".work",
                                   keepWork: keepWork, model: try scalar("model") ?? "builtin", seed: try scalar("seed"), sections: sections)
        if let node = root.first(where: { $0.key == "shards" })?.value {
            manifest.shards = try ShardSizes(node: node, source: source)
        }
        if let node = root.first(where: { $0.key == "resources" })?.value {
            manifest.resources = try TaskResources(node: node, source: source)
        }
        return manifest
    }

    /// The command-line arguments of `stage`'s options, with the top-level model and seed.
    public func arguments(for stage: String) -> [String] {
        let options = sections[stage] ?? []
        var arguments: [String] = []
        if Self.takesModel.contains(stage) { arguments.append("--model=\(model)") }
        if Self.takesSeed.contains(stage), let seed, !options.contains(where: { $0.key == "seed" }) { arguments.append("--seed=\(seed)") }
        for (key, value) in options {
            switch value {
            // --key=value: a value that starts with a dash ("-1") stays a value.
            case .scalar(let text): arguments.append("--\(key)=\(text)")
            case .flag(let on): if on { arguments.append("--\(key)") }
            case .list(let items): for item in items { arguments.append("--\(key)=\(item)") }
            }
        }
        return arguments
    }

    static func value(of node: Node, at path: String, source: String) throws(RunManifestError) -> Value {
        switch node {
        case .scalar(let scalar):
            // Plain true/false become flags; quoted "true" stays a value.
            if scalar.style == .plain, let flag = Bool(scalar.string) { return .flag(flag) }
            return .scalar(scalar.string)
        case .sequence(let items):
            var values: [String] = []
            for item in items {
                guard case .scalar(let scalar) = item else { throw .invalid(source, "\(path): a list of plain values expected") }
                values.append(scalar.string)
            }
            return .list(values)
        default:
            throw .invalid(source, "\(path): a value, true/false or a list expected, not a mapping")
        }
    }

    /// `key=value` or `stage.key=value`, the value read as YAML.
    static func apply(_ override: String, to root: inout [(key: String, value: Node)], source: String) throws(RunManifestError) {
        guard let equals = override.firstIndex(of: "="), equals != override.startIndex else {
            throw .invalid(source, "--set \(override): expected key=value or stage.key=value")
        }
        let path = override[..<equals].split(separator: ".", maxSplits: 1).map(String.init)
        let text = String(override[override.index(after: equals)...])
        let value: Node
        do {
            value = try Yams.compose(yaml: text) ?? Node("")
        } catch {
            throw .invalid(source, "--set \(override): the value is not valid YAML")
        }
        if path.count == 1 {
            root.removeAll { $0.key == path[0] }
            root.append((path[0], value))
            return
        }
        let (stage, key) = (path[0], path[1])
        guard stages.contains(stage) || stage == "shards" || stage == "resources" else { throw .invalid(source, "--set \(override): no stage named \(stage)") }
        var mapping: [(Node, Node)] = []
        if let existing = root.first(where: { $0.key == stage })?.value, case .mapping(let old) = existing {
            mapping = old.map { ($0.key, $0.value) }.filter { $0.0.string != key }
        }
        mapping.append((Node(key), value))
        root.removeAll { $0.key == stage }
        root.append((stage, .mapping(Node.Mapping(mapping))))
    }
}
