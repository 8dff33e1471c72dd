import Foundation

/// The checkout's virtual environment, `<repo>/.venv`, where `scripts/setup test` installs the Python
/// peers (never into the system Python). A child given `Venv.environment` finds `python3` there first,
/// and so do the `#!/usr/bin/env python3` scripts it starts; without a venv nothing changes.
/// (A plain target, not a test target, so every test target that runs Python shares it.)
public enum Venv {
    public static let bin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".venv/bin")

    public static var exists: Bool { FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("python3").path) }

    /// This process's environment with `.venv/bin` first on PATH when the venv exists.
    public static let environment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment
        if exists { environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin") }
        return environment
    }()

    /// `python3` for a command line that inherits this process's PATH (a worker run by /bin/sh -c):
    /// the venv's interpreter by its path when the venv exists.
    public static var python3: String { exists ? "'" + bin.appendingPathComponent("python3").path + "'" : "python3" }
}
