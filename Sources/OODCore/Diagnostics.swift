import Foundation

/// Writes human-facing messages to stderr, so stdout stays pure data in a pipe.
/// Progress lines rewrite themselves on a terminal and are rare otherwise.
public final class Diagnostics: @unchecked Sendable {
    public let quiet: Bool
    public let isTerminal: Bool
    private let lock = NSLock()
    private var lastProgress: Double = 0
    private var progressShown = false

    public init(quiet: Bool = false) {
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) == 1
        // The first progress line comes one interval after the start: short runs print none.
        self.lastProgress = ProcessInfo.processInfo.systemUptime
    }

    /// A message the user should see even with `--quiet` (warnings and errors).
    public func warn(_ message: String) {
        emit("oodsynth: " + message + "\n")
    }

    public func info(_ message: String) {
        guard !quiet else { return }
        emit(message + "\n")
    }

    /// Shows `message` if enough time passed since the last one: 0.25 s on a terminal, 10 s in a log.
    public func progress(_ message: @autoclosure () -> String) {
        guard !quiet else { return }
        let now = ProcessInfo.processInfo.systemUptime
        lock.lock()
        let due = now - lastProgress >= (isTerminal ? 0.25 : 10)
        if due { lastProgress = now }
        lock.unlock()
        guard due else { return }
        if isTerminal {
            emit("\r\u{1B}[K" + message(), progressLine: true)
        } else {
            emit(message() + "\n")
        }
    }

    private func emit(_ text: String, progressLine: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        var text = text
        if progressShown && !progressLine { text = "\r\u{1B}[K" + text }
        progressShown = progressLine
        FileHandle.standardError.write(Data(text.utf8))
    }
}
