import Foundation
import OODCore

/// A run compiled into tasks (`oodsynth plan`): what `oodsynth run` executes in one process and
/// `scripts/ray-run` on a Ray cluster. Every task is an `oodsynth task PLAN NAME` command line over
/// fixed shards, so both executors run the same work and write the same bytes.
///
/// Paths are as the manifest gives them, relative to `cwd`: a task runs there, on any node (the folder
/// must be on storage every node shares, at the same path).
public struct Plan: Codable, Sendable, Equatable {
    public static let formatName = "oodsynth-plan"
    public static let currentVersion = 1

    public var format = Plan.formatName
    public var version = Plan.currentVersion
    public var manifest: String
    public var cwd: String
    public var out: String
    public var work: String
    public var tasks: [PlanTask]

    public init(manifest: String, cwd: String, out: String, work: String, tasks: [PlanTask]) {
        self.manifest = manifest
        self.cwd = cwd
        self.out = out
        self.work = work
        self.tasks = tasks
    }

    public subscript(name: String) -> PlanTask? { tasks.first { $0.name == name } }

    /// Where the plan is stored: in the work folder, which every node reads.
    public static func path(work: String) -> String { work + "/plan.json" }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    public static func load(path: String) throws(PlanError) -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path, "cannot read the file") }
        let plan: Plan
        do {
            plan = try JSONDecoder().decode(Plan.self, from: data)
        } catch {
            throw .unreadable(path, "not an oodsynth plan: \(String(describing: error).prefix(200))")
        }
        guard plan.format == formatName else { throw .unreadable(path, "format is \"\(plan.format)\", not \(formatName)") }
        guard plan.version <= currentVersion else { throw .unreadable(path, "plan version \(plan.version) is newer than this oodsynth (\(currentVersion))") }
        return plan
    }
}
