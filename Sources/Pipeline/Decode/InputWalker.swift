import Foundation
import WebDataset

/// Visits every member of a `DecodeInput` in a deterministic order: folders in sorted path order,
/// archives in member order. Both the class pre-scan and the decoding pass walk the same way.
struct InputWalker {
    let input: DecodeInput
    /// For standard input: the spooled copy, read like an archive file.
    let spoolPath: String?

    func walk(_ visit: (InputEntry) throws -> Void) throws {
        switch input {
        case .folder(let root):
            try walkFolder(root: root, visit)
        case .archive(let path):
            try walkArchive(path: path, visit)
        case .standardInput:
            guard let spoolPath else { throw PipelineError.unreadableInput("<stdin>", reason: "not spooled") }
            let fd = open(spoolPath, O_RDONLY)
            guard fd >= 0 else { throw PipelineError.unreadableInput("<stdin>", reason: String(cString: strerror(errno))) }
            defer { close(fd) }
            try walkArchive(opening: { () throws(ArchiveError) in try ArchiveReader(fileDescriptor: fd, name: "<stdin>") }, visit)
        }
    }

    private func walkArchive(path: String, _ visit: (InputEntry) throws -> Void) throws {
        try walkArchive(opening: { () throws(ArchiveError) in try ArchiveReader(path: path) }, visit)
    }

    private func walkArchive(opening: () throws(ArchiveError) -> ArchiveReader, _ visit: (InputEntry) throws -> Void) throws {
        do {
            let reader = try opening()
            while let entry = try reader.next() {
                let name = Self.normalize(entry.path)
                switch entry.kind {
                case .directory:
                    continue
                case _ where !ArchivePath.isSafe(entry.path):
                    try visit(InputEntry(path: name, kind: .refused(reason: "unsafe-path", detail: "path leaves the archive"), read: Self.noBytes))
                case .symlink(let target):
                    let escapes = ArchivePath.symlinkEscapes(entryPath: entry.path, target: target)
                    try visit(InputEntry(
                        path: name,
                        kind: escapes
                            ? .refused(reason: "unsafe-link", detail: "symlink to \(target) points outside the archive")
                            : .refused(reason: "link", detail: "links are skipped; their target is read as itself"),
                        read: Self.noBytes))
                case .hardlink:
                    try visit(InputEntry(path: name, kind: .refused(reason: "link", detail: "links are skipped; their target is read as itself"), read: Self.noBytes))
                case .other:
                    try visit(InputEntry(path: name, kind: .refused(reason: "not-a-file", detail: "not a regular file"), read: Self.noBytes))
                case .file:
                    try visit(InputEntry(path: name, kind: .file) { limit in try reader.readData(limit: limit) })
                }
            }
        } catch let error as ArchiveError {
            // Its description already names the archive and the entry.
            throw PipelineError.archive(error)
        }
    }

    private func walkFolder(root: String, _ visit: (InputEntry) throws -> Void) throws {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath()
        let rootPath = rootURL.path.hasSuffix("/") ? rootURL.path : rootURL.path + "/"
        try walkDirectory(rootURL, relative: "", rootPath: rootPath, visit)
    }

    private func walkDirectory(_ directory: URL, relative: String, rootPath: String, _ visit: (InputEntry) throws -> Void) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw PipelineError.unreadableInput(directory.path, reason: "cannot list the folder")
        }
        // Byte order, not locale order, so every machine walks the same way.
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let url = directory.appendingPathComponent(name)
            let path = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(url.path, &info) == 0 else {
                try visit(InputEntry(path: path, kind: .refused(reason: "unreadable", detail: String(cString: strerror(errno))), read: Self.noBytes))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try walkDirectory(url, relative: path, rootPath: rootPath, visit)
            case S_IFREG:
                try visit(InputEntry(path: path, kind: .file) { limit in try Self.readFile(url.path, limit: limit) })
            case S_IFLNK:
                let resolved = url.resolvingSymlinksInPath().path
                var target = stat()
                if !resolved.hasPrefix(rootPath) {
                    try visit(InputEntry(path: path, kind: .refused(reason: "unsafe-link", detail: "symlink points outside \(rootPath)"), read: Self.noBytes))
                } else if stat(resolved, &target) == 0 && (target.st_mode & S_IFMT) == S_IFREG {
                    try visit(InputEntry(path: path, kind: .file) { limit in try Self.readFile(resolved, limit: limit) })
                } else {
                    // Folder links are not followed: they could form cycles, and their files are walked anyway.
                    try visit(InputEntry(path: path, kind: .refused(reason: "link", detail: "links to folders are not followed"), read: Self.noBytes))
                }
            default:
                try visit(InputEntry(path: path, kind: .refused(reason: "not-a-file", detail: "not a regular file"), read: Self.noBytes))
            }
        }
    }

    static func readFile(_ path: String, limit: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PipelineError.unreadableInput(path, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        guard data.count <= limit else { throw MemberTooLarge(limit: limit) }
        return [UInt8](data)
    }

    static func noBytes(_ limit: Int) throws -> [UInt8] { [] }

    static func normalize(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        while path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }
}
