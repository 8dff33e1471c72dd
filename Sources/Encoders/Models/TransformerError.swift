import LinearAlgebra

/// Why a transformer model could not be loaded or run. Descriptions are one line and name the file,
/// tensor or input they are about.
public enum TransformerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `config.json` is missing, not JSON, or has values the model cannot use.
    case invalidConfig(file: String, reason: String)
    /// A weight is missing, misshapen or unreadable; the inner error names the file and tensor.
    case weights(SafeTensorsError)
    /// Input the model cannot embed (wrong pixel count, token id outside the vocabulary, too long).
    case invalidInput(String)
    /// An internal shape inconsistency; it indicates a config the loader should have rejected.
    case shape(LinearAlgebraError)

    public var description: String {
        switch self {
        case .invalidConfig(let file, let reason): "\(file): invalid model config: \(reason)"
        case .weights(let error): error.description
        case .invalidInput(let reason): "invalid model input: \(reason)"
        case .shape(let error): "model \(error)"
        }
    }
}
