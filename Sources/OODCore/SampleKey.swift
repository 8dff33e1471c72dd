/// Sample keys: no dots (WebDataset splits a member name at the first dot), unique, and sortable,
/// so the running index is zero-padded to a fixed width and derived keys append `_suffix`.
public enum SampleKey {
    public static let width = 9

    public static func make(index: Int) -> String {
        let digits = String(index)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    public static func derived(from key: String, suffix: String) -> String {
        key + "_" + suffix
    }

    /// Whether `key` can stand as a WebDataset key: non-empty, no dot, no slash, no control characters.
    public static func isValid(_ key: String) -> Bool {
        !key.isEmpty && !key.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/") || $0 < 0x20 }
    }
}
