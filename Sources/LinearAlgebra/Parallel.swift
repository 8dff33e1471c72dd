import COpenBLAS
import Dispatch

/// Splits elementwise and attention work over the cores between GEMMs.
///
/// OpenBLAS threads its own large GEMMs; this is used only for work that does not call a threaded
/// GEMM (elementwise kernels, and attention whose per-head products OpenBLAS runs single-threaded),
/// so the two never compete for the same cores.
enum Parallel {
    /// Workers for the non-GEMM work: the same count OpenBLAS uses for its GEMMs.
    static let workers = max(1, min(Int(openblas_get_num_threads()), 8))

    /// Below this many elements a dispatch costs more than it saves.
    static let minimumElements = 1 << 16

    /// OpenBLAS runs a GEMM on one thread when m·n·k is at most 65536 · GEMM_MULTITHREAD_THRESHOLD
    /// (4 by default; interface/gemm.c).
    static let singleThreadedGEMM = 65536 * 4

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
            DispatchQueue.concurrentPerform(iterations: count) { shared.body($0) }
        }
    }

    private struct SharedClosure: @unchecked Sendable {
        let body: (Int) -> Void
    }

    /// Applies `kernel` to `count` floats split into one contiguous chunk per worker.
    static func chunks(_ data: UnsafeMutablePointer<Float>, count: Int, _ kernel: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let parts = count >= minimumElements ? workers : 1
        let size = (count + parts - 1) / max(parts, 1)
        run(parts) { part in
            let start = part * size
            if start < count { kernel(data + start, min(size, count - start)) }
        }
    }
}
