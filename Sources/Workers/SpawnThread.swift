import Foundation

/// The one thread that starts every worker, and never ends.
///
/// Linux sends a child its parent-death signal (`PR_SET_PDEATHSIG`, see `WorkerProcess`) when the
/// *thread* that started it ends, not the process: a worker started from a short-lived thread (the
/// ones `generate` blocks on) would be killed as soon as that thread returned.
final class SpawnThread: @unchecked Sendable {
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in serve() }
        thread.name = "oodsynth-worker-spawner"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Runs `body` on the spawning thread and waits for its result.
    func run<T>(_ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        var result: T?
        condition.lock()
        jobs.append {
            result = body()
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return result!     // set by the job before it signalled
    }

    private func serve() -> Never {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
