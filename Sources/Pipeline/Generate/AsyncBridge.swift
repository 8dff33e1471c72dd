import Foundation

/// Lets a stage, which reads and writes its stream on one ordinary thread, wait for a generator's
/// async work. Only ever called from non-concurrency threads (a command's main thread, a runner's
/// stage thread), so blocking here never starves the tasks it waits for.
enum AsyncBridge {
    private final class Box<T>: @unchecked Sendable {
        var value: T?
    }

    static func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T? {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value
    }
}
