/// Where a sample's class label comes from.
public enum LabelSource: String, Sendable, CaseIterable {
    case parentDirectory = "parent-dir"
    case none
}
