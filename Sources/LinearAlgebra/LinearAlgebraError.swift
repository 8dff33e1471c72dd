/// A misuse of the matrix API that the caller could not rule out statically.
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Operand shapes that do not fit together; the message names the operation and the shapes.
    case shapeMismatch(String)
    /// An activation function name from a model config that is not implemented.
    case unknownActivation(String)
    /// An eigendecomposition that LAPACK could not finish.
    case notConverged(String)
    /// A system that should be positive definite and is not (a regularization too small for the data).
    case notPositiveDefinite(String)
    /// The matrix-product library could not be loaded; the message says why and what to install.
    case kernelUnavailable(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let detail): "shape mismatch: \(detail)"
        case .unknownActivation(let name): "unknown activation function '\(name)'"
        case .notConverged(let detail): "eigendecomposition did not converge: \(detail)"
        case .notPositiveDefinite(let detail): "matrix is not positive definite: \(detail)"
        case .kernelUnavailable(let detail): detail
        }
    }
}
