/// Why an adapter could not be trained, loaded or applied; each message names the input.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Inputs that cannot be trained on (too few classes, an empty or non-finite set, shapes that
    /// do not fit); the message names the input and the problem.
    case badInput(String)
    /// An adapter folder that is not one, or belongs to another base model.
    case badAdapter(String)

    public var description: String {
        switch self {
        case .badInput(let detail): detail
        case .badAdapter(let detail): detail
        }
    }
}
