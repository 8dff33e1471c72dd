import CGEMM

/// The nonlinearities of the transformer MLPs, named as in Hugging Face configs (`hidden_act`).
public enum Activation: String, Sendable {
    /// x · Φ(x) with the exact erf, as BERT uses.
    case gelu
    /// x · σ(1.702 x), as OpenAI CLIP uses.
    case quickGELU = "quick_gelu"
    /// The tanh approximation of GELU.
    case geluTanh = "gelu_new"
    case relu

    /// Reads a config's `hidden_act`, including the aliases transformers accepts for the same function.
    public init(configName: String) throws(LinearAlgebraError) {
        switch configName {
        case "gelu": self = .gelu
        case "quick_gelu": self = .quickGELU
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        case "relu": self = .relu
        default: throw .unknownActivation(configName)
        }
    }

    /// Applies the function to every element in place, on all cores for large matrices.
    public func apply(_ matrix: Matrix) {
        Parallel.chunks(matrix.base, count: matrix.count) { start, count in apply(start, count: count) }
    }

    public func apply(_ data: UnsafeMutablePointer<Float>, count: Int) {
        // The same operations eight at a time on AVX2 (CGEMM's activations.c), the same bits.
        if let kind = vectorKind, cgemm_activation(kind, data, count) != 0 { return }
        applyPortable(data, count: count)
    }

    /// The kernel number of the AVX2 version in CGEMM, if it has one.
    var vectorKind: Int32? {
        switch self {
        case .gelu: CGEMM_ACTIVATION_GELU
        case .quickGELU: CGEMM_ACTIVATION_QUICK_GELU
        case .geluTanh: CGEMM_ACTIVATION_GELU_TANH
        case .relu: nil
        }
    }

    /// The scalar definition (which LLVM vectorizes for SSE): the fallback, and the reference the
    /// AVX2 kernels must match bit for bit.
    func applyPortable(_ data: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .gelu:
            VectorMath.map(data, count: count) { x in x * 0.5 * (1 + VectorMath.erf(x * 0.70710678118654752)) }
        case .quickGELU:
            VectorMath.map(data, count: count) { x in x / (1 + VectorMath.exp(x * -1.702)) }
        case .geluTanh:
            // tanh(u) = 1 - 2 / (e^{2u} + 1), which saturates correctly at both ends.
            VectorMath.map(data, count: count) { x in
                let u = x * (x * x * 0.044715 + 1) * 0.7978845608028654
                return x * 0.5 * (2 - 2 / (VectorMath.exp(u * 2) + 1))
            }
        case .relu:
            VectorMath.map(data, count: count) { x in max(x, 0) }
        }
    }
}
