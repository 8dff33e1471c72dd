import Foundation
import Workers
import OODCore
@testable import WebDataset
import TestVenv

/// Shared helpers: temporary directories, running the reference tools (python3, GNU tar) as child processes.
enum TestSupport {
    struct Run {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "wds-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> Run {
        let run = try ChildProcess.run("/usr/bin/env", [executable] + arguments, environment: Venv.environment, input: stdin)
        return Run(status: run.status, stdout: run.stdout, stderr: String(decoding: run.stderr, as: UTF8.self))
    }

    /// Runs a Python script; the script gets `args` as sys.argv[1:].
    static func python(_ script: String, _ args: [String] = []) throws -> Run {
        try run("python3", ["-c", script] + args)
    }

    static func pythonHas(_ module: String) -> Bool {
        (try? python("import \(module)").status) == 0
    }

    /// Fixture archives made by the committed generator `Resources/make_fixtures.py`.
    static func fixtures() throws -> String {
        let directory = try temporaryDirectory()
        guard let script = Bundle.module.path(forResource: "make_fixtures", ofType: "py", inDirectory: "Resources") else {
            throw CocoaError(.fileNoSuchFile)
        }
        let result = try run("python3", [script, directory])
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: result.stderr]) }
        return directory
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func hex(_ bytes: [UInt8]) -> String { SHA256.hex(bytes) }
}
