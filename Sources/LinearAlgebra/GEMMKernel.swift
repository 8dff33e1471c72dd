import CGEMM
import COpenBLAS

/// The engine behind every single- and double-precision matrix product: BLIS where it can be loaded,
/// OpenBLAS otherwise.
///
/// BLIS runs every tile of C through the same micro-kernel on zero-padded packed panels and never
/// splits the inner dimension, so each element of a product is the same bits whatever the shape of
/// the call, the element's position in it, or the number of threads: a sample's embedding, a query's
/// neighbours and a row's scores do not depend on the batch they were computed in. OpenBLAS's
/// Haswell/Zen sgemm does not have that property (a row's bits change with its position modulo 12 and
/// in edge tiles), which is why it is only the fallback for library users without BLIS; the
/// command-line tool refuses to run without BLIS (`requireBLIS`).
public enum GEMMKernel {
    private static let loaded: (ready: Bool, failure: String) = {
        var message = [CChar](repeating: 0, count: Int(CGEMM_MESSAGE_SIZE))
        let ready = cgemm_load(&message, message.count) == 1
        let failure = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (ready, failure)
    }()

    /// True when products run on BLIS, and so are independent of the batch and the core count.
    public static var isBLIS: Bool { loaded.ready }

    /// What computes the products, as recorded in stream headers and model folders: the library,
    /// its version and the kernel it chose for this CPU (`blis 0.9.0 zen3`). The bits of every
    /// embedding and score depend on it: the same name gives the same bits.
    public static var name: String {
        if loaded.ready { return String(cString: cgemm_kernel()) }
        return "openblas \(String(cString: openblas_get_corename()))"
    }

    /// Throws, naming the reason and the package to install, when BLIS could not be loaded.
    public static func requireBLIS() throws(LinearAlgebraError) {
        guard loaded.ready else { throw .kernelUnavailable(loaded.failure) }
    }
}
