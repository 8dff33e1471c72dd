import Foundation
import OODCore
import Testing
@testable import WebDataset

@Suite struct ShardWriterTests {
    @Test func writesShardsStatsAndManifest() throws {
        let directory = try TestSupport.temporaryDirectory() + "/out"
        let writer = try ShardWriter(directory: directory, prefix: "ood", maxCount: 10)
        let header = StreamHeader(stages: [StageRecord(name: "write")], classes: ["a"])
        try writer.write(try header.sample())
        let samples = SampleStreamTests.samples(25)
        for sample in samples { try writer.write(sample) }
        let manifest = try writer.finish()

        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["manifest.json", "ood-000000.tar", "ood-000000_stats.json", "ood-000001.tar",
                          "ood-000001_stats.json", "ood-000002.tar", "ood-000002_stats.json"])
        #expect(manifest.header == header)
        #expect(manifest.shards.map(\.count) == [10, 10, 5])
        #expect(manifest.totalCount == 25)
        for stats in manifest.shards {
            let bytes = try TestSupport.readFile(directory + "/" + stats.name)
            #expect(bytes.count == stats.bytes)
            let reference = try TestSupport.python("import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
                                                   [directory + "/" + stats.name])
            #expect(stats.sha256 == reference.text.trimmingCharacters(in: .whitespacesAndNewlines))
            let statsFile = try JSONDecoder().decode(ShardStats.self, from: Data(contentsOf: URL(fileURLWithPath:
                directory + "/" + stats.name.replacingOccurrences(of: ".tar", with: "_stats.json"))))
            #expect(statsFile == stats)
        }
        let decoded = try JSONDecoder().decode(ShardManifest.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json")))
        #expect(decoded == manifest)

        // Shards hold no header and read back as the same samples.
        var read: [Sample] = []
        for stats in manifest.shards {
            let reader = try SampleReader(path: directory + "/" + stats.name)
            #expect(reader.header == nil)
            while let sample = try reader.next() { read.append(sample) }
        }
        #expect(read == samples)
    }

    @Test func pythonWebDatasetReadsShards() throws {
        guard TestSupport.pythonHas("webdataset") else {
            Issue.record("skipped: python3 cannot import webdataset")
            return
        }
        let directory = try TestSupport.temporaryDirectory() + "/wds"
        let writer = try ShardWriter(directory: directory, maxCount: 7)
        let samples = SampleStreamTests.samples(20)
        for sample in samples { try writer.write(sample) }
        let manifest = try writer.finish()
        let script = """
        import sys, hashlib, webdataset as wds
        urls = sys.argv[1:]
        for s in wds.WebDataset(urls, shardshuffle=False):
            fields = sorted((k, hashlib.sha256(v).hexdigest()) for k, v in s.items() if not k.startswith('__'))
            print(s['__key__'], ' '.join(f'{k}={h}' for k, h in fields))
        """
        let result = try TestSupport.python(script, manifest.shards.map { directory + "/" + $0.name })
        #expect(result.status == 0, "\(result.stderr)")
        let expected = samples.map { sample in
            sample.key + " " + sample.fields.map { "\($0.ext)=\(SHA256.hex(SHA256.hash($0.bytes)))" }.joined(separator: " ")
        }.joined(separator: "\n") + "\n"
        #expect(result.text == expected)
    }

    @Test func maxBytesNeverSplitsASample() throws {
        let directory = try TestSupport.temporaryDirectory() + "/bytes"
        let writer = try ShardWriter(directory: directory, maxCount: 1000, maxBytes: 8000)
        // Each sample: 2 members of 1500 bytes -> 2 * (512 + 1536) = 4096 bytes in the tar.
        for i in 0..<5 {
            try writer.write(Sample(key: SampleKey.make(index: i), fields: ["a": [UInt8](repeating: 1, count: 1500), "b": [UInt8](repeating: 2, count: 1500)]))
        }
        // One sample bigger than maxBytes gets a shard of its own.
        try writer.write(Sample(key: "big", fields: ["bin": [UInt8](repeating: 3, count: 20_000)]))
        let manifest = try writer.finish()
        #expect(manifest.shards.map(\.count) == [1, 1, 1, 1, 1, 1])
        #expect(manifest.shards.dropLast().allSatisfy { $0.bytes <= 8000 })

        let loose = try ShardWriter(directory: directory + "2", maxCount: 1000, maxBytes: 10_000)
        for i in 0..<5 { try loose.write(Sample(key: SampleKey.make(index: i), fields: ["a": [UInt8](repeating: 1, count: 1500)])) }
        #expect(try loose.finish().shards.map(\.count) == [4, 1])
    }

    @Test func refusesNonEmptyDirectoryAndOverwritesOnlyItsOwnFiles() throws {
        let directory = try TestSupport.temporaryDirectory() + "/reuse"
        let first = try ShardWriter(directory: directory, maxCount: 2)
        for sample in SampleStreamTests.samples(5) { try first.write(sample) }
        try first.finish()
        try TestSupport.writeFile(directory + "/notes.txt", [1])
        try TestSupport.writeFile(directory + "/.shard-000009.tar.partial", [1])

        #expect(throws: ShardError.directoryNotEmpty(path: directory, example: ".shard-000009.tar.partial")) {
            try ShardWriter(directory: directory)
        }
        let second = try ShardWriter(directory: directory, maxCount: 10, overwrite: true)
        for sample in SampleStreamTests.samples(3) { try second.write(sample) }
        try second.finish()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["manifest.json", "notes.txt", "shard-000000.tar", "shard-000000_stats.json"])
    }

    @Test func unfinishedShardStaysPartial() throws {
        let directory = try TestSupport.temporaryDirectory() + "/partial"
        do {
            let writer = try ShardWriter(directory: directory, maxCount: 2)
            for sample in SampleStreamTests.samples(3) { try writer.write(sample) }
            // Dropped without finish(): shard 0 is complete, shard 1 is not.
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == [".shard-000001.tar.partial", "shard-000000.tar", "shard-000000_stats.json"])
    }
}
