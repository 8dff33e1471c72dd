import Foundation
import OODCore
import Testing
@testable import WebDataset

@Suite struct SampleStreamTests {
    static func samples(_ count: Int) -> [Sample] {
        (0..<count).map { i in
            Sample(key: SampleKey.make(index: i), fields: [
                "txt": Array("caption \(i)".utf8),
                "cls": Array(String(i % 7).utf8),
                "img.npy": NPY.encode([Float(i), 1, 2], shape: [3]),
            ])
        }
    }

    static func writeStream(_ path: String, header: StreamHeader?, samples: [Sample]) throws {
        let writer = try SampleWriter(path: path)
        if let header { try writer.write(try header.sample()) }
        for sample in samples { try writer.write(sample) }
        try writer.finish()
    }

    @Test func roundTripsWithHeader() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/s.tar"
        let header = StreamHeader(stages: [StageRecord(name: "decode", options: ["seed": "1"])], classes: ["cat", "dog"])
        try Self.writeStream(path, header: header, samples: Self.samples(20))
        let reader = try SampleReader(path: path)
        #expect(reader.header == header)
        var read: [Sample] = []
        while let sample = try reader.next() { read.append(sample) }
        #expect(read == Self.samples(20))
        #expect(try reader.next() == nil)

        // Member order inside a sample is the sorted field order.
        let listing = try TestSupport.run("tar", ["-tf", path])
        #expect(listing.text.split(separator: "\n").prefix(4) == ["__stream__.json", "000000000.cls", "000000000.img.npy", "000000000.txt"])
    }

    @Test func readsWithoutHeaderAndFromADescriptor() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/s.tar"
        try Self.writeStream(path, header: nil, samples: Self.samples(3))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let reader = try SampleReader(fileDescriptor: fd, name: "stdin")
        #expect(reader.header == nil)
        var read: [Sample] = []
        while let sample = try reader.next() { read.append(sample) }
        #expect(read == Self.samples(3))
    }

    @Test func groupsLikeWebDataset() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/g.tar"
        let tar = try TarWriter(path: path)
        for (name, text) in [("a/x.1.txt", "p"), ("a/x.1.json", "q"), ("a/x.jpg", "r"), ("b.c/y.txt", "s"), ("noext", "t"), (".hidden", "u")] {
            try tar.write(name: name, bytes: Array(text.utf8))
        }
        try tar.finish()
        let reader = try SampleReader(path: path)
        let first = try #require(try reader.next())
        #expect(first.key == "a/x")
        #expect(first.fields.map(\.ext) == ["1.json", "1.txt", "jpg"])
        #expect(try reader.next()?.key == "b.c/y")
        #expect(try reader.next() == nil)
        #expect(reader.skippedMembers == 2)
        #expect(MemberName.split("000001.img.npy")! == ("000001", "img.npy"))
    }

    @Test func truncatedStreamGivesCompleteSamplesThenError() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/full.tar"
        try Self.writeStream(path, header: StreamHeader(), samples: Self.samples(10))
        let full = try TestSupport.readFile(path)
        // Member boundaries from the tar itself: header + 3 members per sample, 512-byte headers.
        let memberSizes = try TestSupport.python("""
        import tarfile, sys
        for m in tarfile.open(sys.argv[1]): print(m.offset)
        """, [path]).text.split(separator: "\n").compactMap { Int($0) }
        #expect(memberSizes.count == 31)
        // Cut inside sample 5's second member, and exactly at the start of sample 5 (no end marker).
        let cuts = [(memberSizes[1 + 5 * 3 + 1] + 700, 4), (memberSizes[1 + 5 * 3], 3)]
        for (cut, lastComplete) in cuts {
            let cutPath = directory + "/cut-\(cut).tar"
            try TestSupport.writeFile(cutPath, Array(full.prefix(cut)))
            let reader = try SampleReader(path: cutPath)
            #expect(reader.header == StreamHeader())
            var read: [Sample] = []
            let error = #expect(throws: SampleStreamError.self) {
                while let sample = try reader.next() { read.append(sample) }
            }
            #expect(read == Array(Self.samples(10).prefix(lastComplete + 1)), "cut \(cut)")
            guard case .archive(.truncated(let source, _))? = error else {
                Issue.record("expected truncation, got \(String(describing: error))")
                continue
            }
            #expect(source == cutPath)
            // The error sticks.
            #expect(throws: SampleStreamError.self) { try reader.next() }
        }
        // Empty input is a truncated stream too.
        try TestSupport.writeFile(directory + "/empty.tar", [])
        let reader = try SampleReader(path: directory + "/empty.tar")
        #expect(throws: SampleStreamError.archive(.truncated(source: directory + "/empty.tar", afterEntry: nil))) { try reader.next() }
    }

    @Test func rejectsBadHeadersAndKeys() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory + "/h.tar"
        let tar = try TarWriter(path: path)
        try tar.write(name: "__stream__.json", bytes: Array("{\"format\":\"other\"}".utf8))
        try tar.finish()
        #expect(throws: SampleStreamError.self) { try SampleReader(path: path) }

        let writer = try SampleWriter(path: directory + "/k.tar")
        for key in ["a.b", "", "../x", "/abs"] {
            #expect(throws: ArchiveError.self) { try writer.write(Sample(key: key, fields: ["txt": [1]])) }
        }
        #expect(throws: ArchiveError.self) { try writer.write(Sample(key: "k", fields: [:])) }
        #expect(throws: ArchiveError.self) { try writer.write(Sample(key: "k", fields: ["a/b": [1]])) }
    }
}
