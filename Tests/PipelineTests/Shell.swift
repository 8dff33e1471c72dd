import Foundation
import TestVenv
import Workers

/// Runs a bash script with the built `oodsynth` on PATH and the repository as working directory, as a
/// user would type it, capturing status, stdout and stderr.
struct Shell {
    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder of the test bundle, where SwiftPM also puts the `oodsynth` executable.
    static let binaries: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("oodsynth").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// The environment of a script: `oodsynth`, then the checkout's `.venv/bin` (the Python peers;
    /// when it exists), first on PATH.
    static let environment: [String: String] = {
        var environment = Venv.environment
        environment["PATH"] = binaries.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return environment
    }()

    static func run(_ script: String) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("oodsynth-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout")
        let err = scratch.appendingPathComponent("stderr")
        let process = try ChildProcess(
            "/bin/bash", ["-c", "set -o pipefail; { \(script)\n} > '\(out.path)' 2> '\(err.path)'"],
            environment: environment, directory: repository.path)
        return Result(
            status: process.wait().status,
            stdout: (try? Data(contentsOf: out)) ?? Data(),
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("oodsynth-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static var hasPython: Bool {
        (try? run("python3 -c 'import webdataset, PIL, numpy'"))?.status == 0
    }
}
