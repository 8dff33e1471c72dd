/// A plan that cannot be read, or a task that cannot run, with the file or task named.
public enum PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String, String)
    case unknownTask(plan: String, name: String)
    case missingInput(task: String, path: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let problem): "\(path): \(problem)"
        case .unknownTask(let plan, let name): "\(plan): no task named \(name)"
        case .missingInput(let task, let path): "task \(task): its input \(path) is missing (an earlier task has not completed)"
        }
    }
}
