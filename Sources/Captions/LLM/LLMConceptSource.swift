/// Asks a chat model for concepts near, beside and far from each ID class: one request per class and
/// kind, a few at a time, each answer parsed leniently. A request that fails costs its concepts and is
/// counted; it never stops the others. The LLM only proposes: the caption stage's gates (ID-concept
/// exclusion, NegLabel's test, nearer the gap than any ID class) dispose.
public struct LLMConceptSource: Sendable {
    public let client: ChatClient
    public let model: String
    public let seed: Int
    /// Concepts asked for per class and kind.
    public let perClass: Int
    /// Requests in flight at once.
    public let concurrency: Int
    public let parser = LLMAnswerParser()

    public init(client: ChatClient, model: String, seed: Int, perClass: Int = 10, concurrency: Int = 4) {
        self.client = client
        self.model = model
        self.seed = seed
        self.perClass = max(1, perClass)
        self.concurrency = max(1, concurrency)
    }

    public struct Proposal: Sendable, Equatable {
        public var phrase: String
        public var className: String
        public var kind: LLMConceptKind

        public init(phrase: String, className: String, kind: LLMConceptKind) {
            (self.phrase, self.className, self.kind) = (phrase, className, kind)
        }
    }

    public struct Outcome: Sendable {
        /// In class order, then kind order, then answer order, whatever order the answers came in.
        public var proposals: [Proposal] = []
        /// Answer items that were no concept, by the parser's reason.
        public var skipped: [String: Int] = [:]
        /// Requests that got no answer, and the first such error (one line).
        public var failed = 0
        public var firstError: String?
        public var asked = 0
        public var cached = 0

        public init() {}
    }

    /// The request about one class and kind.
    public func request(label: String, kind: LLMConceptKind) -> ChatRequest {
        ChatRequest(model: model, messages: [
            .init(role: "system", content: LLMConceptKind.system),
            .init(role: "user", content: kind.prompt(label: label, count: perClass)),
        ], seed: seed, maxTokens: 16 * perClass + 32)
    }

    public func propose(classes: [String], kinds: [LLMConceptKind] = LLMConceptKind.allCases) async -> Outcome {
        let jobs = classes.flatMap { label in kinds.map { (label, $0) } }
        var answers = [Result<(content: String, cached: Bool), LLMError>?](repeating: nil, count: jobs.count)
        await withTaskGroup(of: (Int, Result<(content: String, cached: Bool), LLMError>).self) { group in
            var next = 0
            func submit() {
                let index = next
                let request = self.request(label: Self.words(jobs[index].0), kind: jobs[index].1)
                group.addTask {
                    do throws(LLMError) { return (index, .success(try await client.complete(request))) } catch { return (index, .failure(error)) }
                }
                next += 1
            }
            while next < min(concurrency, jobs.count) { submit() }
            for await (index, answer) in group {
                answers[index] = answer
                if next < jobs.count { submit() }
            }
        }
        var outcome = Outcome()
        for (index, answer) in answers.enumerated() {
            switch answer {
            case .success(let reply)?:
                if reply.cached { outcome.cached += 1 } else { outcome.asked += 1 }
                let parsed = parser.parse(reply.content)
                for (reason, count) in parsed.skipped { outcome.skipped[reason, default: 0] += count }
                let (label, kind) = jobs[index]
                outcome.proposals += parsed.concepts.prefix(perClass).map { Proposal(phrase: $0, className: label, kind: kind) }
            case .failure(let error)?:
                outcome.failed += 1
                if outcome.firstError == nil { outcome.firstError = error.description }
            case nil:
                outcome.failed += 1
            }
        }
        return outcome
    }

    /// "sea_horse" -> "sea horse": class names as a person would write them.
    static func words(_ name: String) -> String {
        name.replacingOccurrences(of: "_", with: " ")
    }
}
