/// One task of a plan: a chain of stages from an optional input (the concatenation of stream files,
/// optionally one slice of it) to an optional output stream file, run as `argv`.
///
/// A task is idempotent: its output is written as `OUTPUT.partial` and renamed, and its `done` file
/// (`TaskRecord`) is written last. An executor skips a task whose done file is there on resume, and a
/// retried task redoes the same work to the same bytes.
public struct PlanTask: Codable, Sendable, Equatable {
    public struct Resources: Codable, Sendable, Equatable {
        public var numCPUs: Double = 1
        public var numGPUs: Double = 0
        /// Custom Ray resources (for example a node label) from the manifest.
        public var custom: [String: Double] = [:]

        enum CodingKeys: String, CodingKey { case numCPUs = "num_cpus", numGPUs = "num_gpus", custom }
        public init() {}
    }

    /// Stream files read one after another as one stream (their headers must agree), and the slice of
    /// its samples (by position, header not counted) the task takes.
    public struct Input: Codable, Sendable, Equatable {
        public var files: [String]
        public var from: Int?
        public var to: Int?
        /// The fields kept (nil: all).
        public var fields: [String]?
        public init(files: [String], from: Int? = nil, to: Int? = nil, fields: [String]? = nil) {
            self.files = files
            self.from = from
            self.to = to
            self.fields = fields
        }
    }

    public var name: String
    /// The command line any executor runs: `oodsynth task PLAN NAME`.
    public var argv: [String]
    /// Tasks that must complete first (always earlier in the plan).
    public var after: [String]
    /// Files and folders the task reads, and those it writes.
    public var inputs: [String]
    public var outputs: [String]
    /// Written last, when the task succeeded.
    public var done: String
    public var resources: Resources
    /// What the task does: each stage's command line without `oodsynth` (`["embed", "--model=builtin"]`).
    public var stages: [[String]]
    public var input: Input?
    /// The stream file the last stage writes; nil when it is a sink (write, fit, train, knn).
    public var output: String?

    public init(name: String, argv: [String], after: [String], inputs: [String], outputs: [String], done: String,
                resources: Resources = Resources(), stages: [[String]], input: Input?, output: String?) {
        self.name = name
        self.argv = argv
        self.after = after
        self.inputs = inputs
        self.outputs = outputs
        self.done = done
        self.resources = resources
        self.stages = stages
        self.input = input
        self.output = output
    }
}
