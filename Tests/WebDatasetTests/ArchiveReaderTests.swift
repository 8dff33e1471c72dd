import Foundation
import Testing
@testable import WebDataset

@Suite struct ArchiveReaderTests {
    static func readAll(_ reader: ArchiveReader) throws -> [(ArchiveEntry, [UInt8])] {
        var result: [(ArchiveEntry, [UInt8])] = []
        while let entry = try reader.next() {
            result.append((entry, entry.kind == .file ? try reader.readData() : []))
        }
        return result
    }

    @Test(arguments: ["plain.tar", "plain.tar.gz", "plain.tgz"])
    func readsTarFormats(_ name: String) throws {
        let fixtures = try TestSupport.fixtures()
        let entries = try Self.readAll(try ArchiveReader(path: fixtures + "/" + name))
        #expect(entries.map(\.0.path) == ["dir/", "a.txt", "dir/b.bin", "dir/c.txt", "dir/link", "dir/hard"])
        #expect(entries[0].0.kind == .directory)
        #expect(entries[1].1 == Array("alpha\n".utf8))
        #expect(entries[2].1 == Array((0..<40).flatMap { _ in (0...255).map(UInt8.init) }))
        #expect(entries[2].0.size == 10240)
        #expect(entries[3].1.isEmpty)
        #expect(entries[4].0.kind == .symlink(target: "b.bin"))
        #expect(entries[5].0.kind == .hardlink(target: "dir/b.bin"))
        #expect(entries.allSatisfy { $0.0.isSafe })
    }

    @Test func readsZip() throws {
        let fixtures = try TestSupport.fixtures()
        let entries = try Self.readAll(try ArchiveReader(path: fixtures + "/plain.zip"))
        #expect(entries.map(\.0.path) == ["dir/", "a.txt", "dir/b.bin", "dir/c.txt"])
        #expect(entries[0].0.kind == .directory)
        #expect(entries[2].1.count == 10240)
        #expect(entries[1].1 == Array("alpha\n".utf8))
    }

    @Test func readsFromAFileDescriptorAsAStream() throws {
        let fixtures = try TestSupport.fixtures()
        // A pipe, like stdin: not seekable, so this is the streaming path.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let bytes = try TestSupport.readFile(fixtures + "/plain.tar.gz")
        let writeEnd = fds[1]
        let writer = Thread {
            bytes.withUnsafeBytes { _ = write(writeEnd, $0.baseAddress, $0.count) }
            close(writeEnd)
        }
        writer.start()
        let entries = try Self.readAll(try ArchiveReader(fileDescriptor: fds[0], name: "stdin"))
        close(fds[0])
        #expect(entries.count == 6)
        #expect(entries[2].1.count == 10240)
    }

    @Test func flagsUnsafeEntries() throws {
        let fixtures = try TestSupport.fixtures()
        let entries = try Self.readAll(try ArchiveReader(path: fixtures + "/evil.tar"))
        let safety = Dictionary(uniqueKeysWithValues: entries.map { ($0.0.path, $0.0.isSafe) })
        #expect(safety == [
            "ok.txt": true, "../evil.txt": false, "/etc/abs.txt": false, "sub/../../up.txt": false,
            "sub/outside": false, "sub/absolute": false, "sub/inside": true,
        ])
    }

    @Test func truncatedTarFailsAfterCompleteEntries() throws {
        let fixtures = try TestSupport.fixtures()
        let path = fixtures + "/truncated.tar"
        // Reading the data of each entry, and skipping it, must both report the cut.
        for readData in [true, false] {
            let reader = try ArchiveReader(path: path)
            #expect(try reader.next()?.path == "one.txt")
            if readData { #expect(try reader.readData().count == 700) }
            #expect(try reader.next()?.path == "two.txt")
            if readData { #expect(try reader.readData().count == 300) }
            #expect(try reader.next()?.path == "three.txt")
            #expect(throws: ArchiveError.truncated(source: path, afterEntry: "two.txt")) {
                if readData { _ = try reader.readData() } else { _ = try reader.next() }
            }
        }
    }

    @Test func refusesOversizedMembers() throws {
        let fixtures = try TestSupport.fixtures()
        let path = fixtures + "/plain.tar"
        let reader = try ArchiveReader(path: path)
        _ = try reader.next()
        _ = try reader.next()
        #expect(try reader.next()?.path == "dir/b.bin")
        #expect(throws: ArchiveError.memberTooLarge(source: path, entry: "dir/b.bin", size: 10240, limit: 1000)) {
            try reader.readData(limit: 1000)
        }
        #expect(try reader.next()?.path == "dir/c.txt")
    }

    @Test func reportsUnreadableInput() throws {
        #expect(throws: ArchiveError.self) { try ArchiveReader(path: "/nonexistent/archive.tar") }
        let directory = try TestSupport.temporaryDirectory()
        try TestSupport.writeFile(directory + "/junk.tar", Array(repeating: 0x41, count: 3000))
        #expect(throws: ArchiveError.self) { _ = try Self.readAll(try ArchiveReader(path: directory + "/junk.tar")) }
    }
}

@Suite struct ArchivePathTests {
    @Test func paths() {
        for safe in ["a", "a/b", "./a", "a/./b", "a/../b", "a//b", "dir/"] { #expect(ArchivePath.isSafe(safe), "\(safe)") }
        for unsafe in ["", "/a", "..", "../a", "a/../..", "a/../../b", "\\a", "C:/x", "c:x", ".", "./", "a\\..\\..\\b"] {
            #expect(!ArchivePath.isSafe(unsafe), "\(unsafe)")
        }
    }

    @Test func symlinks() {
        #expect(!ArchivePath.symlinkEscapes(entryPath: "a/link", target: "b"))
        #expect(!ArchivePath.symlinkEscapes(entryPath: "a/link", target: "../b"))
        #expect(ArchivePath.symlinkEscapes(entryPath: "a/link", target: "../../b"))
        #expect(ArchivePath.symlinkEscapes(entryPath: "link", target: "../b"))
        #expect(ArchivePath.symlinkEscapes(entryPath: "a/link", target: "/etc/passwd"))
        #expect(ArchivePath.symlinkEscapes(entryPath: "a/link", target: ""))
        #expect(!ArchivePath.symlinkEscapes(entryPath: "a/b/link", target: "../../c/./d"))
    }
}
