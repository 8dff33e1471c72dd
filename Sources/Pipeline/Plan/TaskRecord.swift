import Foundation
import OODCore

/// A task's done file (`<name>_done.json`), written last: that the task completed, what it wrote and
/// how long it took. Its presence is what makes a task complete for `--resume`.
public struct TaskRecord: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var sha256: String
        public init(path: String, bytes: Int, sha256: String) {
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    public var task: String
    /// Samples in the output stream (nil for a sink).
    public var count: Int?
    public var files: [File]
    public var seconds: Double
    /// Each stage's summary line.
    public var summaries: [String]

    public init(task: String, count: Int?, files: [File], seconds: Double, summaries: [String]) {
        self.task = task
        self.count = count
        self.files = files
        self.seconds = seconds
        self.summaries = summaries
    }

    public static func load(path: String) -> TaskRecord? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(TaskRecord.self, from: $0) }
    }

    /// Written under a temporary name and renamed (.atomic), so a done file is never half there.
    public func store(at path: String) throws(PipelineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try (encoder.encode(self) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .outputFailed(path, reason: "cannot write the done file: \(error.localizedDescription)")
        }
    }
}
