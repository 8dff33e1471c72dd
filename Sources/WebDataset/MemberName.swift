/// How WebDataset splits a member name into sample key and field extension, mirroring webdataset's
/// `^((?:.*/|)[^.]+)[.]([^/]*)$`: the key is any directory prefix plus the basename up to its FIRST
/// dot, the extension is the rest (`a/000001.img.npy` -> key `a/000001`, ext `img.npy`).
public enum MemberName {
    /// `nil` when the name has no usable key or extension (no dot, a leading dot, or an empty extension).
    public static func split(_ name: String) -> (key: String, ext: String)? {
        let utf8 = name.utf8
        let baseStart = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
        guard let dot = utf8[baseStart...].firstIndex(of: UInt8(ascii: ".")), dot != baseStart else { return nil }
        let extStart = utf8.index(after: dot)
        guard extStart != utf8.endIndex else { return nil }
        return (String(name[..<dot]), String(name[extStart...]))
    }

    public static func join(key: String, ext: String) -> String { key + "." + ext }
}
