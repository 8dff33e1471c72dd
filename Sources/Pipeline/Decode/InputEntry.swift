/// A member of an input as `decode` sees it: a relative path and either readable bytes or the reason
/// it is refused (an unsafe path, a link, something that is not a regular file).
struct InputEntry {
    enum Kind {
        case file
        case refused(reason: String, detail: String)
    }

    /// Path relative to the input's root, `/`-separated, without a leading `./`.
    let path: String
    let kind: Kind
    /// Reads the member's bytes, refusing more than `limit`. Valid only while the entry is being visited.
    let read: (_ limit: Int) throws -> [UInt8]

    var fileExtension: String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    /// The path without its last extension: images and their sidecar captions share it.
    var stem: String {
        let ext = fileExtension
        return ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
    }

    /// The folder that holds the member, or nil at the root.
    var parentName: String? {
        let parts = path.split(separator: "/")
        return parts.count >= 2 ? String(parts[parts.count - 2]) : nil
    }

    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "jfif"]
    static let captionExtensions: Set<String> = ["txt", "caption"]

    var isImage: Bool { Self.imageExtensions.contains(fileExtension) }
    var isCaption: Bool { Self.captionExtensions.contains(fileExtension) }
    var isClassLabel: Bool { fileExtension == "cls" }
    /// Sidecars that travel with an image and are not samples themselves.
    var isSidecar: Bool { isCaption || isClassLabel || fileExtension == "json" }
}
