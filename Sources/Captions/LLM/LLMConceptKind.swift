/// What an ID class's concepts are asked for, after EOE (Envisioning Outlier Exposure, ICML 2024):
/// things that look like the class but are not it (near OOD), things of the same broad group that are
/// easily confused with it (fine-grained), and things unrelated to it (far OOD).
public enum LLMConceptKind: String, CaseIterable, Sendable, Codable {
    case near
    case fineGrained = "fine-grained"
    case far

    /// Told once per request: the answer's form, which `LLMAnswerParser` reads leniently anyway.
    public static let system = """
        You name categories of things that can be seen in a picture. Answer with a numbered list of \
        short English noun phrases, one per line, and nothing else.
        """

    /// The question about one ID class.
    public func prompt(label: String, count: Int) -> String {
        switch self {
        case .near:
            "List \(count) categories of things that look visually similar to a \(label) but are not a \(label) and not a kind of \(label)."
        case .fineGrained:
            "List \(count) categories from the same broad group as a \(label) that are easily mistaken for it, but are not a \(label) and not a kind of \(label)."
        case .far:
            "List \(count) categories of things that have nothing in common with a \(label): different in shape, use and setting."
        }
    }
}
