import Foundation
import OODCore
import Testing
@testable import WebDataset

@Suite struct TarWriterTests {
    static let longName = String(repeating: "k", count: 120) + ".txt"
    static let members: [(String, [UInt8])] = [
        ("000001.txt", Array("hello\n".utf8)),
        ("000001.bin", (0..<1500).map { UInt8($0 % 251) }),
        ("000002.empty", []),
        (longName, Array("long name\n".utf8)),
        ("caf\u{e9}/\u{65e5}\u{672c}.txt", Array("unicode\n".utf8)),
    ]

    static func writeTar(_ path: String) throws {
        let writer = try TarWriter(path: path)
        for (name, bytes) in members { try writer.write(name: name, bytes: bytes) }
        try writer.finish()
    }

    @Test func gnuTarListsMembersWithFixedHeaders() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/out.tar"
        try Self.writeTar(path)
        let listing = try TestSupport.run("tar", ["--numeric-owner", "-tvf", path])
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stderr.isEmpty, "\(listing.stderr)")
        let lines = listing.text.split(separator: "\n")
        #expect(lines.count == Self.members.count)
        for (line, member) in zip(lines, Self.members) {
            #expect(line.hasPrefix("-rw-r--r-- 0/0"), "\(line)")
            #expect(line.contains("1970-01-01 00:00"), "\(line)")
            #expect(line.hasSuffix(member.0), "\(line)")
            #expect(line.contains(" \(member.1.count) "), "\(line)")
        }
        let extract = try TestSupport.run("tar", ["-xf", path, "-C", directory])
        #expect(extract.status == 0)
        #expect(try TestSupport.readFile(directory + "/000001.bin") == Self.members[1].1)
    }

    @Test func pythonTarfileReadsSameBytes() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/out.tar"
        try Self.writeTar(path)
        let script = """
        import tarfile, sys, hashlib
        with tarfile.open(sys.argv[1]) as t:
            for m in t:
                assert m.isfile() and m.mtime == 0 and m.uid == 0 and m.gid == 0 and m.mode == 0o644, m
                print(m.name, len(t.extractfile(m).read()), hashlib.sha256(t.extractfile(m).read()).hexdigest())
        """
        let result = try TestSupport.python(script, [path])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = Self.members.map { "\($0.0) \($0.1.count) \(SHA256.hex(SHA256.hash($0.1)))" }.joined(separator: "\n") + "\n"
        #expect(result.text == expected)
    }

    @Test func identicalInputGivesIdenticalBytes() throws {
        let directory = try TestSupport.temporaryDirectory()
        try Self.writeTar(directory + "/a.tar")
        Thread.sleep(forTimeInterval: 1.1)  // a wall-clock mtime would now differ
        try Self.writeTar(directory + "/b.tar")
        let a = try TestSupport.readFile(directory + "/a.tar")
        #expect(a == (try TestSupport.readFile(directory + "/b.tar")))
        #expect(a.count % 512 == 0)
    }

    @Test func hashesWhatItWrites() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/h.tar"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let writer = try TarWriter(fileDescriptor: fd, name: path, computeSHA256: true, bufferSize: 4096)
        for i in 0..<50 { try writer.write(name: "\(i).bin", bytes: [UInt8](repeating: UInt8(i), count: i * 300)) }
        try writer.finish()
        close(fd)
        let bytes = try TestSupport.readFile(path)
        #expect(writer.bytesWritten == bytes.count)
        #expect(writer.sha256 == SHA256.hash(bytes))
    }

    @Test func abandonedWriterLeavesATruncatedStream() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/abandoned.tar"
        do {
            let writer = try TarWriter(path: path)
            try writer.write(name: "a.txt", bytes: Array("complete".utf8))
        }
        let reader = try ArchiveReader(path: path, requireEndMarker: true)
        #expect(try reader.next()?.path == "a.txt")
        #expect(try reader.readData() == Array("complete".utf8))
        #expect(throws: ArchiveError.truncated(source: path, afterEntry: "a.txt")) { try reader.next() }
    }

    @Test func brokenPipeIsATypedError() throws {
        signal(SIGPIPE, SIG_IGN)  // as the CLI does; otherwise the process would die on EPIPE
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        let writer = try TarWriter(fileDescriptor: fds[1], name: "stdout", bufferSize: 4096)
        #expect(throws: ArchiveError.brokenPipe(destination: "stdout")) {
            for i in 0..<100 { try writer.write(name: "\(i).bin", bytes: [UInt8](repeating: 1, count: 10_000)) }
            try writer.finish()
        }
        close(fds[1])
    }

    @Test func rejectsBadNamesAndUseAfterFinish() throws {
        let directory = try TestSupport.temporaryDirectory()
        let writer = try TarWriter(path: directory + "/x.tar")
        #expect(throws: ArchiveError.self) { try writer.write(name: "", bytes: [1]) }
        try writer.finish()
        #expect(throws: ArchiveError.finished(destination: directory + "/x.tar")) { try writer.write(name: "a.b", bytes: []) }
    }
}
