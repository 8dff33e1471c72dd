/// Why a `.safetensors` file or one of its tensors cannot be used. Every description is one line and
/// names the file, and the tensor when there is one.
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    /// Shorter than the 8-byte header length, or a declared header length past the end of the file.
    case truncated(file: String, reason: String)
    /// The header is not a JSON object of tensor entries.
    case invalidHeader(file: String, reason: String)
    /// One header entry is inconsistent (dtype, shape, offsets).
    case invalidTensor(file: String, tensor: String, reason: String)
    case overlapping(file: String, tensor: String, other: String)
    case missingTensor(file: String, tensor: String)
    case unexpectedShape(file: String, tensor: String, expected: [Int], actual: [Int])
    /// A valid entry whose dtype this reader cannot turn into Float32.
    case unsupportedDType(file: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason): "\(file): cannot open: \(Self.oneLine(reason))"
        case .truncated(let file, let reason): "\(file): truncated safetensors file: \(reason)"
        case .invalidHeader(let file, let reason): "\(file): invalid safetensors header: \(Self.oneLine(reason))"
        case .invalidTensor(let file, let tensor, let reason): "\(file): tensor '\(tensor)': \(reason)"
        case .overlapping(let file, let tensor, let other):
            "\(file): tensor '\(tensor)' overlaps tensor '\(other)' in the data area"
        case .missingTensor(let file, let tensor): "\(file): no tensor named '\(tensor)'"
        case .unexpectedShape(let file, let tensor, let expected, let actual):
            "\(file): tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .unsupportedDType(let file, let tensor, let dtype):
            "\(file): tensor '\(tensor)' has dtype \(dtype), not F32, F16 or BF16"
        }
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
