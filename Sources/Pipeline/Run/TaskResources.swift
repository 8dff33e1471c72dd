import Yams

/// What a cluster gives each kind of task, from the manifest's `resources:` section, by the task's
/// name without its shard number (`id`, `knn`, `synthesize`, `generate`, `write`, `train`, ...):
///
///     resources: {generate: {gpus: 1}, id: {gpus: 1, cpus: 4}, knn: {cpus: 8, highmem: 1}}
///
/// `cpus` and `gpus` become Ray's num_cpus and num_gpus; any other key is a custom Ray resource.
/// Tasks not named get one CPU. `oodsynth run` ignores it.
public struct TaskResources: Sendable, Equatable {
    public struct Request: Sendable, Equatable {
        public var cpus: Double = 1
        public var gpus: Double = 0
        public var custom: [String: Double] = [:]
    }

    public var byKind: [String: Request] = [:]

    public init() {}

    init(node: Node, source: String) throws(RunManifestError) {
        guard case .mapping(let kinds) = node else {
            throw .invalid(source, "resources must map task kinds (id, knn, synthesize, generate, write, train) to {cpus, gpus, ...}")
        }
        for pair in kinds {
            let kind = pair.key.string ?? ""
            guard case .mapping(let values) = pair.value else { throw .invalid(source, "resources.\(kind) must be a mapping like {gpus: 1}") }
            var request = Request()
            for value in values {
                let key = value.key.string ?? ""
                guard let text = value.value.string, let amount = Double(text), amount >= 0, amount.isFinite else {
                    throw .invalid(source, "resources.\(kind).\(key) must be a number of at least 0")
                }
                switch key {
                case "cpus": request.cpus = amount
                case "gpus": request.gpus = amount
                default: request.custom[key] = amount
                }
            }
            byKind[kind] = request
        }
    }

    /// The request for a task: by its kind (the name before `-NNNNN`).
    public func request(task name: String) -> Request {
        let kind = name.split(separator: "-").first.map(String.init) ?? name
        return byKind[kind] ?? Request()
    }
}
