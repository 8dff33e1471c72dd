import Foundation

/// Runs blocking work (waiting on a child process) on a thread of its own, so that it never holds
/// one of the few threads Swift concurrency runs tasks on.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
