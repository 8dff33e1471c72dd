import Encoders

/// A fitted builtin model, ready to embed or to write as a folder, and the account of fitting it.
public struct FitResult {
    public let model: BuiltinModel
    public let summary: FitSummary
}
