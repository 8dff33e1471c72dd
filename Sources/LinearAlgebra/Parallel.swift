import CGEMM
import COpenBLAS
import Dispatch

/// Splits work over the cores: elementwise kernels, attention heads, and the stripes of a large
/// matrix product (`Matrix.gemm`).
///
/// Work started inside a parallel region stays on its thread (a per-thread depth counts the regions),
/// so a product called from an attention head or a `BatchSplit` part never splits again.
enum Parallel {
    /// Workers: the number of cores OpenBLAS found (or `OPENBLAS_NUM_THREADS`), at most 8.
    static let workers = max(1, min(Int(openblas_get_num_threads()), 8))

    /// Below this many elements a dispatch costs more than it saves.
    static let minimumElements = 1 << 16

    /// Below this many multiply-adds a product runs on one thread: about 20 µs of work, the cost of
    /// waking the others.
    static let minimumProduct = 1 << 20

    /// True on a thread that is already running one part of a parallel region.
    static var isInsideRegion: Bool { cgemm_parallel_depth() > 0 }

    /// Runs `body(worker)` for each worker index, concurrently when there is more than one. Callers
    /// give each worker a disjoint part of the output, and concurrentPerform returns only when all
    /// are done, which is why the non-Sendable closure may be shared.
    static func run(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let shared = SharedClosure(body: escapable)
            DispatchQueue.concurrentPerform(iterations: count) { part in
                cgemm_parallel_enter()
                defer { cgemm_parallel_leave() }
                shared.body(part)
            }
        }
    }

    private struct SharedClosure: @unchecked Sendable {
        let body: (Int) -> Void
    }

    /// Applies `kernel` to `count` floats split into one contiguous chunk per worker.
    static func chunks(_ data: UnsafeMutablePointer<Float>, count: Int, _ kernel: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let parts = count >= minimumElements && !isInsideRegion ? workers : 1
        let size = (count + parts - 1) / max(parts, 1)
        run(parts) { part in
            let start = part * size
            if start < count { kernel(data + start, min(size, count - start)) }
        }
    }

    /// How an `m x n` product with inner size `k` is cut over the cores: along its larger side, in
    /// stripes of a multiple of 16 (whole register tiles), or not at all when it is small or the
    /// caller already runs in parallel.
    static func stripes(m: Int, n: Int, k: Int) -> Stripes {
        let alongRows = m >= n
        let side = alongRows ? m : n
        guard workers > 1, !isInsideRegion, m * n * k >= minimumProduct, side >= 32 else {
            return Stripes(alongRows: alongRows, side: side, size: side)
        }
        let parts = min(workers, side / 16)
        let size = ((side + parts - 1) / parts + 15) / 16 * 16
        return Stripes(alongRows: alongRows, side: side, size: size)
    }

    /// Consecutive ranges of `size` along one side of a product.
    struct Stripes {
        let alongRows: Bool
        let side: Int
        let size: Int

        var count: Int { (side + size - 1) / size }

        subscript(part: Int) -> Range<Int> { (part * size)..<min((part + 1) * size, side) }
    }
}
