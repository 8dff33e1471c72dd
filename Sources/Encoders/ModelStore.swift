import Foundation

/// Where installed models live: `$OODSYNTH_MODELS` alone when it is set (so a user or a test can point
/// at one store and know nothing else is used), else `.models` in the checkout that built this binary
/// (scripts/setup installs there), then `~/.local/share/oodsynth/models`.
public enum ModelStore {
    public static let minilmFolderName = "all-MiniLM-L6-v2"

    public static var searchPaths: [URL] {
        if let explicit = ProcessInfo.processInfo.environment["OODSYNTH_MODELS"], !explicit.isEmpty {
            return [URL(fileURLWithPath: explicit)]
        }
        var paths = binaryAncestors.map { $0.appendingPathComponent(".models") }
        let home = FileManager.default.homeDirectoryForCurrentUser
        paths.append(home.appendingPathComponent(".local/share/oodsynth/models"))
        return paths
    }

    /// The folders above the running binary, nearest first. The binary sits at
    /// CHECKOUT/.build/<triple>/<config>/oodsynth, so the checkout is among them. /proc/self/exe names
    /// the binary wherever it was started from (argv[0] may be a bare name).
    public static var binaryAncestors: [URL] {
        var folders: [URL] = []
        var folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 where folder.path != "/" {
            folder.deleteLastPathComponent()
            folders.append(folder)
        }
        return folders
    }

    /// The folder of an installed model, or an error telling how to install it.
    public static func folder(named name: String) throws(EncoderError) -> URL {
        for base in searchPaths {
            let candidate = base.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("config.json").path) {
                return candidate
            }
        }
        throw .modelNotInstalled(name: name, searched: searchPaths.map(\.path))
    }
}
