import Foundation

/// Runs a transform on a fixed set of worker threads and hands results back in submission order, so a
/// stage can read its input on one thread, decode in parallel, and still emit deterministically.
/// The caller bounds memory by taking a result whenever `pending` reaches its window, and must call
/// `close()` when done: the worker threads keep the pool alive until then.
public final class OrderedWorkPool<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    private let transform: @Sendable (Input) -> Output
    private let condition = NSCondition()
    private var queue: [(Int, Input)] = []
    private var queueHead = 0
    private var results: [Int: Output] = [:]
    private var nextSubmit = 0
    private var nextTake = 0
    private var closed = false
    private var threads: [Thread] = []

    public init(workers: Int, transform: @escaping @Sendable (Input) -> Output) {
        self.transform = transform
        for index in 0..<max(1, workers) {
            let thread = Thread { self.work() }
            thread.name = "oodsynth-worker-\(index)"
            // Decoders of large images recurse little but hold big row buffers on the heap; 1 MiB is
            // the default and plenty, set explicitly so it does not depend on the platform.
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
    }

    /// Submitted but not yet taken.
    public var pending: Int {
        condition.lock()
        defer { condition.unlock() }
        return nextSubmit - nextTake
    }

    public func submit(_ input: Input) {
        condition.lock()
        queue.append((nextSubmit, input))
        nextSubmit += 1
        condition.signal()
        condition.unlock()
    }

    /// The result of the oldest submission not yet taken, waiting for it if needed; nil when none is pending.
    public func next() -> Output? {
        condition.lock()
        defer { condition.unlock() }
        guard nextTake < nextSubmit else { return nil }
        while results[nextTake] == nil { condition.wait() }
        let output = results.removeValue(forKey: nextTake)
        nextTake += 1
        return output
    }

    /// Stops the workers after the jobs already queued; results not taken are dropped.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while queueHead == queue.count && !closed { condition.wait() }
            if queueHead == queue.count {
                condition.unlock()
                return
            }
            let (sequence, input) = queue[queueHead]
            queueHead += 1
            // Compact occasionally so the queue does not grow without bound over a long run.
            if queueHead > 1024 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            condition.unlock()

            let output = transform(input)

            condition.lock()
            results[sequence] = output
            condition.broadcast()
            condition.unlock()
        }
    }
}
