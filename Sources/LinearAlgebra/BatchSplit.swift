import CGEMM
import COpenBLAS
import Dispatch
import Foundation

/// Runs independent parts of a batch on separate cores, each with single-threaded OpenBLAS. For the
/// small GEMMs of short texts (a few hundred rows), OpenBLAS's own two-thread split spends much of its
/// time waking and yielding threads; two independent halves keep both cores busy instead.
public enum BatchSplit {
    private static let lock = NSLock()

    /// The number of parts worth using for a batch of `count` items.
    public static func parts(for count: Int) -> Int {
        count >= 8 ? max(1, min(Parallel.workers, count / 4)) : 1
    }

    /// `body(part)` for every part, concurrently, results in part order.
    public static func map<T>(_ parts: Int, _ body: (Int) throws -> T) throws -> [T] {
        guard parts > 1 else { return [try body(0)] }
        // One split at a time: the OpenBLAS thread count is process-wide.
        lock.lock()
        defer { lock.unlock() }
        let threads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(threads) }
        var results = [Result<T, Error>?](repeating: nil, count: parts)
        results.withUnsafeMutableBufferPointer { slots in
            let shared = Slots(base: slots.baseAddress!)
            withoutActuallyEscaping(body) { body in
                let work = Work(body: body)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    cgemm_parallel_enter()
                    defer { cgemm_parallel_leave() }
                    shared.base[part] = Result { try work.body(part) }
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// `body` with OpenBLAS on one thread: for factorizations whose rounding would otherwise depend on
    /// how many cores the machine has.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        let threads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(threads) }
        return try body()
    }

    /// `body` for consecutive blocks of `blockSize` rows out of `rows`, spread over the cores, each
    /// with single-threaded OpenBLAS. The blocks are fixed, whatever the core count, so a GEMM done
    /// block by block gives the same bits on every machine: OpenBLAS's own threading does not
    /// (measured: a fitted model changed with OPENBLAS_NUM_THREADS). Not reentrant: `body` must not
    /// call back into BatchSplit.
    public static func forEachRowBlock(rows: Int, blockSize: Int = 64, _ body: (Range<Int>) -> Void) {
        guard rows > 0 else { return }
        let blocks = (rows + blockSize - 1) / blockSize
        let parts = min(blocks, Parallel.workers)
        func run(_ part: Int) {
            for block in stride(from: part, to: blocks, by: parts) {
                body((block * blockSize)..<min((block + 1) * blockSize, rows))
            }
        }
        if parts > 1 {
            _ = try? map(parts) { run($0) }
        } else {
            singleThreaded { run(0) }
        }
    }

    // Each part writes only its own slot, and concurrentPerform returns after all parts finish.
    private struct Slots<T>: @unchecked Sendable { let base: UnsafeMutablePointer<Result<T, Error>?> }
    private struct Work<T>: @unchecked Sendable { let body: (Int) throws -> T }

    /// `body` applied to `parts(for:)` contiguous slices of `items` concurrently, outputs concatenated
    /// in item order.
    public static func concatenating<Item, Output>(_ items: [Item], _ body: ([Item]) throws -> [Output]) throws -> [Output] {
        let count = parts(for: items.count)
        let size = (items.count + count - 1) / max(count, 1)
        return try map(count) { part in
            try body(Array(items[min(part * size, items.count)..<min((part + 1) * size, items.count)]))
        }.flatMap { $0 }
    }
}
