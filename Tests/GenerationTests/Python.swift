import Foundation
import Workers
import TestVenv

/// Runs Python (the peers: diffusers, the worker script) from the repository root.
enum Python {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let worker = repository.appendingPathComponent("scripts/diffusion-worker.py").path

    static func run(_ code: String) throws -> Result {
        let run = try ChildProcess.run("/usr/bin/env", ["python3", "-c", code], environment: Venv.environment,
                                       directory: repository.path)
        return Result(status: run.status, stdout: String(decoding: run.stdout, as: UTF8.self),
                      stderr: String(decoding: run.stderr, as: UTF8.self))
    }
}
