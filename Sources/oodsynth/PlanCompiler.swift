import Foundation
import OODCore
import Pipeline

/// Compiles a manifest into a plan: the tasks `oodsynth run` and `scripts/ray-run` execute. Maps
/// over fixed shards where a stage is a map (decode | embed per block of input images, the density's
/// kNN per block of ID points, generate | filter per block of captioned targets), one task where a
/// stage needs everything (gaps | caption, whose captions are each used once across all gaps; write,
/// whose shards number the whole set).
/// Every stage's options are parsed here, so a bad manifest stops before any work, with the key named.
struct PlanCompiler {
    var manifest: RunManifest
    /// The folder tasks run in (where the manifest's relative paths start).
    var cwd: String

    static let generatedShards = "kept"

    func compile() throws -> Plan {
        var manifest = self.manifest
        let work = manifest.work
        let planPath = Plan.path(work: work)
        let model = work + "/model", idStream = work + "/id.tar", targets = work + "/targets.tar"
        let embeddings = work + "/embeddings.tar"
        let fits = manifest.sections["fit"] != nil
        if fits {
            guard manifest.model == "builtin" else {
                throw PipelineError.invalidOption("\(manifest.source): model: fit makes the model; leave model out (or builtin)")
            }
            manifest.model = model
        } else if manifest.model != "builtin" && !FileManager.default.fileExists(atPath: manifest.model) {
            throw PipelineError.invalidOption("\(manifest.source): model: \(manifest.model): no such folder")
        }
        let source = manifest.source
        // Each stage's command line, checked as the user's own would be.
        func stage(_ arguments: [String]) throws -> [String] {
            _ = try StageCommands.parse(arguments, context: source)
            return arguments
        }
        let decodeBase = ["decode"] + manifest.inputs + manifest.arguments(for: "decode")
        let decodeCommand = try StageCommands.parse(decodeBase, context: source)
        let embed = try stage(["embed"] + manifest.arguments(for: "embed"))
        let gaps = try stage(["gaps"] + manifest.arguments(for: "gaps"))
        let caption = try stage(["caption"] + manifest.arguments(for: "caption"))
        let generate = try stage(["generate"] + manifest.arguments(for: "generate") + ["--references", idStream])
        let filter = try stage(["filter"] + manifest.arguments(for: "filter") + ["--references", embeddings])
        let write = try stage(["write"] + manifest.arguments(for: "write") + ["--out", manifest.out, "--overwrite"])
        let decodedStream = work + "/decoded.tar"
        // fit names its input so the model records the sha256 of the set it was fitted on.
        let fit = try fits ? stage(["fit", decodedStream, "--out", model, "--overwrite"] + manifest.arguments(for: "fit")) : []
        let adapter = manifest.out + "/adapter"
        let train = try manifest.sections["train"].map { _ in
            try stage(["train"] + manifest.inputs.flatMap { ["--id-train", $0] }
                      + ["--synthetic", manifest.out, "--out", adapter, "--overwrite"] + manifest.arguments(for: "train"))
        }
        let captionCommand = try StageCommands.parse(caption, context: source) as? CaptionCommand
        let gapsCommand = try StageCommands.parse(gaps, context: source) as? GapsCommand
        if let folder = captionCommand?.wordnet,
           !FileManager.default.fileExists(atPath: folder) {
            throw PipelineError.invalidOption("\(source): caption.wordnet: \(folder): no such folder")
        }

        var tasks: [PlanTask] = []
        func add(_ name: String, after: [String], inputs: [String], outputs: [String], stages: [[String]],
                 input: PlanTask.Input?, output: String?, done: String? = nil) {
            let done = done ?? (output.map { ($0 as NSString).deletingPathExtension } ?? work + "/" + name) + "_done.json"
            let request = manifest.resources.request(task: name)
            var resources = PlanTask.Resources()
            (resources.numCPUs, resources.numGPUs, resources.custom) = (request.cpus, request.gpus, request.custom)
            tasks.append(PlanTask(name: name, argv: ["oodsynth", "task", planPath, name], after: after, inputs: inputs,
                                  outputs: outputs, done: done, resources: resources, stages: stages, input: input, output: output))
        }
        func shard(_ index: Int) -> String { String(format: "%05d", index) }

        // The ID set: decode | embed per block of input images (keys are image positions, so the
        // blocks, concatenated, are the unsharded stream), then one stream of them all.
        let ranges: [Range<Int>?]
        if manifest.inputs.contains("-") {
            ranges = [nil]  // stdin cannot be read twice: one task
        } else {
            let count = try DecodeStage.imageCount(inputs: manifest.inputs.map { try DecodeInput(argument: $0) },
                                                   labelFrom: (decodeCommand as? DecodeCommand)?.labelFrom ?? .parentDirectory)
            let size = manifest.shards.images
            ranges = stride(from: 0, to: max(count, 1), by: size).map { $0..<min($0 + size, count) }
        }
        func decode(_ range: Range<Int>?) -> [String] {
            decodeBase + (range.map { ["--range=\($0.lowerBound):\($0.upperBound)"] } ?? [])
        }
        var idShards: [String] = []
        var idTasks: [String] = []
        if fits {
            var decoded: [String] = []
            for (index, range) in ranges.enumerated() {
                let file = "\(work)/decoded/\(shard(index)).tar"
                add("decode-\(shard(index))", after: [], inputs: manifest.inputs, outputs: [file],
                    stages: [decode(range)], input: nil, output: file)
                decoded.append(file)
            }
            add("decoded", after: tasks.map(\.name), inputs: decoded, outputs: [decodedStream], stages: [],
                input: .init(files: decoded), output: decodedStream)
            add("fit", after: ["decoded"], inputs: [decodedStream], outputs: [model], stages: [fit],
                input: .init(files: [decodedStream]), output: nil)
            for (index, file) in decoded.enumerated() {
                let out = "\(work)/id/\(shard(index)).tar"
                add("id-\(shard(index))", after: ["decode-\(shard(index))", "fit"], inputs: [file, model], outputs: [out],
                    stages: [embed], input: .init(files: [file]), output: out)
                idShards.append(out)
                idTasks.append("id-\(shard(index))")
            }
        } else {
            for (index, range) in ranges.enumerated() {
                let out = "\(work)/id/\(shard(index)).tar"
                add("id-\(shard(index))", after: [], inputs: manifest.inputs, outputs: [out],
                    stages: [decode(range), embed], input: nil, output: out)
                idShards.append(out)
                idTasks.append("id-\(shard(index))")
            }
        }
        add("id", after: idTasks, inputs: idShards, outputs: [idStream], stages: [], input: .init(files: idShards), output: idStream)
        // The tasks that read every ID point (kNN, gaps, filter's references) read its embeddings only:
        // about 4 KB a point at 512-d instead of the images' tens of KB.
        add("embeddings", after: idTasks, inputs: idShards, outputs: [embeddings], stages: [],
            input: .init(files: idShards, fields: ["cls", "img.npy", "txt.npy"]), output: embeddings)

        // The density's N x N products as a map over fixed blocks of ID points (oodsynth knn), then
        // the global step: gaps reads every embedding, and caption uses each caption once across all
        // gaps. The block count comes from the image count; blocks past the usable embeddings are empty.
        let knnSize = manifest.shards.knn
        let pointCount = ranges.last??.upperBound ?? knnSize
        let knnBlocks = max(1, (pointCount + knnSize - 1) / knnSize)
        var knnFiles: [String] = []
        for index in 0..<knnBlocks {
            let file = "\(work)/knn/\(shard(index)).npy"
            let to = index == knnBlocks - 1 ? Int.max : (index + 1) * knnSize
            add("knn-\(shard(index))", after: ["embeddings"], inputs: [embeddings], outputs: [file],
                stages: [["knn", "--rows=\(index * knnSize):\(to)", "--k=\(gapsCommand?.k ?? 50)",
                          "--space=\(gapsCommand?.space.rawValue ?? "image")", "--output", file]],
                input: .init(files: [embeddings]), output: nil, done: "\(work)/knn/\(shard(index))_done.json")
            knnFiles.append(file)
        }
        add("synthesize", after: knnFiles.indices.map { "knn-\(shard($0))" }, inputs: [embeddings] + knnFiles, outputs: [targets],
            stages: [gaps + knnFiles.flatMap { ["--self-knn", $0] }, caption],
            input: .init(files: [embeddings]), output: targets)

        // generate | filter per block of targets. The count is what gaps | caption asked for; the last
        // block takes whatever follows, so nothing is lost if caption ever emits more.
        let gapCount = gapsCommand?.count ?? 1
        let perGap = captionCommand?.perGap ?? 1
        let size = manifest.shards.targets
        let blocks = max(1, (gapCount * perGap + size - 1) / size)
        var kept: [String] = []
        for index in 0..<blocks {
            let out = "\(work)/\(Self.generatedShards)/\(shard(index)).tar"
            add("generate-\(shard(index))", after: ["synthesize", "id"], inputs: [targets, idStream, embeddings], outputs: [out],
                stages: [generate, filter],
                input: .init(files: [targets], from: index * size, to: index == blocks - 1 ? nil : (index + 1) * size), output: out)
            kept.append(out)
        }
        add("write", after: kept.indices.map { "generate-\(shard($0))" }, inputs: kept, outputs: [manifest.out],
            stages: [write], input: .init(files: kept), output: nil)
        if let train {
            add("train", after: ["write"], inputs: manifest.inputs + [manifest.out], outputs: [adapter], stages: [train],
                input: nil, output: nil)
        }
        return Plan(manifest: manifest.source, cwd: cwd, out: manifest.out, work: work, tasks: tasks)
    }
}
