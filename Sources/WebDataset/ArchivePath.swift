/// Path checks for archive members, so nothing an archive names can reach outside the extraction root
/// ("zip slip": `../evil.txt`, `/etc/passwd`, or a symlink to `../../..`).
public enum ArchivePath {
    /// The normalized components of a relative path: empty and `.` components dropped, `..` resolved.
    /// `nil` when the path is absolute or a `..` climbs above the root.
    public static func normalizedComponents(_ path: String) -> [Substring]? {
        if path.hasPrefix("/") || path.hasPrefix("\\") || hasDriveLetter(path) { return nil }
        var result: [Substring] = []
        // Backslashes count as separators too: a Windows-made zip may use them, and extractors differ.
        for component in path.split(whereSeparator: { $0 == "/" || $0 == "\\" }) {
            switch component {
            case ".": continue
            case "..":
                if result.isEmpty { return nil }
                result.removeLast()
            default: result.append(component)
            }
        }
        return result
    }

    /// Whether `path` is relative and stays inside the root after normalization (and is not empty).
    public static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.utf8.contains(0), let components = normalizedComponents(path) else { return false }
        return !components.isEmpty
    }

    /// Whether a symlink stored at `entryPath` pointing at `target` resolves outside the archive root.
    /// Absolute targets always escape; relative ones are resolved against the link's own directory.
    public static func symlinkEscapes(entryPath: String, target: String) -> Bool {
        guard var base = normalizedComponents(entryPath) else { return true }
        if !base.isEmpty { base.removeLast() }
        let joined = base.joined(separator: "/") + (base.isEmpty ? "" : "/") + target
        return target.isEmpty || normalizedComponents(joined) == nil
            || target.hasPrefix("/") || target.hasPrefix("\\") || hasDriveLetter(target)
    }

    private static func hasDriveLetter(_ path: String) -> Bool {
        let bytes = Array(path.utf8.prefix(2))
        return bytes.count == 2 && bytes[1] == UInt8(ascii: ":")
            && ((bytes[0] | 0x20) >= UInt8(ascii: "a") && (bytes[0] | 0x20) <= UInt8(ascii: "z"))
    }
}
