import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One request in flight: its URLSession task and the continuation waiting for it, finished once by
/// whichever comes first of the answer, the deadline and the caller's cancel.
///
/// `cancel()` runs inside a Swift task's cancellation handler, under that task's status lock: it
/// must not wait for anything nor resume that task, so it only records the cancel and leaves the
/// rest to a global queue (`URLSessionTask.cancel()` waits on the session's queue).
final class PendingExchange: @unchecked Sendable {
    // @unchecked: every stored property is read and written only under `lock`.
    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var continuation: CheckedContinuation<APIClient.Outcome, Never>?
    private var outcome: APIClient.Outcome?
    private var cancelled = false

    /// Starts `task` unless the exchange already ended (cancelled before it began), and arms the
    /// deadline.
    func start(_ task: URLSessionDataTask, continuation: CheckedContinuation<APIClient.Outcome, Never>, timeout: Double) {
        lock.lock()
        if let outcome {
            lock.unlock()
            continuation.resume(returning: outcome)
            return
        }
        if cancelled {
            outcome = .failed(.cancelled)
            lock.unlock()
            continuation.resume(returning: .failed(.cancelled))
            return
        }
        self.task = task
        self.continuation = continuation
        lock.unlock()
        task.resume()
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0, timeout)) { [weak self] in
            self?.finish(.deadline)
        }
    }

    /// Ends the exchange with `outcome` if nothing ended it before; stops the request if it is still
    /// going.
    func finish(_ outcome: APIClient.Outcome) {
        lock.lock()
        guard self.outcome == nil else {
            lock.unlock()
            return
        }
        self.outcome = outcome
        let continuation = self.continuation
        let task = self.task
        self.continuation = nil
        self.task = nil
        lock.unlock()
        continuation?.resume(returning: outcome)
        if let task, task.state == .running || task.state == .suspended { Self.stop(task) }
    }

    /// The caller's task was cancelled. Never waits, and leaves resuming the waiting continuation
    /// (which takes the status lock this runs under) to a global queue.
    func cancel() {
        lock.lock()
        cancelled = true
        let started = task != nil
        lock.unlock()
        if started { DispatchQueue.global().async { self.finish(.failed(.cancelled)) } }
    }

    private static func stop(_ task: URLSessionDataTask) {
        let box = UncheckedTask(task: task)
        DispatchQueue.global().async { box.task.cancel() }
    }

    /// URLSessionTask is thread-safe but not marked Sendable on Linux.
    private struct UncheckedTask: @unchecked Sendable {
        let task: URLSessionDataTask
    }
}
