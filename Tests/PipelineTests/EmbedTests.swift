import Foundation
import Testing

/// `oodsynth embed` at the command line, checked by transformers and sentence-transformers.
@Suite struct EmbedTests {
    static let tinyCLIP = "Tests/EncodersTests/Resources/tiny-clip"
    static let input = "Samples/bad/mixed.tar"

    static var minilm: String? {
        let candidates = [ProcessInfo.processInfo.environment["OODSYNTH_MODELS"], Shell.repository.path + "/.models"]
        return candidates.compactMap { $0 }.map { $0 + "/all-MiniLM-L6-v2" }
            .first { FileManager.default.fileExists(atPath: $0 + "/model.safetensors") }
    }

    @Test func clipFolderEmbedsImagesAndCaptionsLikeTransformers() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("oodsynth decode \(DecodeWriteTests.samples) -q | oodsynth embed --model \(Self.tinyCLIP) --batch 7 -o '\(dir.path)/e.tar'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("360 images and 360 captions"), "\(run.stderr)")
        let check = try Shell.run("python3 Tests/interop/check_embeddings.py '\(dir.path)/e.tar' clip \(Self.tinyCLIP) 20")
        #expect(check.status == 0, "\(check.stderr)")
        let again = try Shell.run("oodsynth decode \(DecodeWriteTests.samples) -q | oodsynth embed --model \(Self.tinyCLIP) --batch 7 -q | cmp - '\(dir.path)/e.tar'")
        #expect(again.status == 0, "embedding is not byte-identical across runs: \(again.stderr)")
    }

    @Test func builtinEmbedsLikeSentenceTransformersAndTheNumpyReference() throws {
        let folder = try #require(Self.minilm, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("oodsynth decode \(DecodeWriteTests.samples) -q | oodsynth embed --model builtin -o '\(dir.path)/e.tar'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("360 images and 360 captions"), "\(run.stderr)")
        let check = try Shell.run("python3 Tests/interop/check_embeddings.py '\(dir.path)/e.tar' sentence '\(folder)' 40")
        #expect(check.status == 0, "\(check.stderr)")
        // The default is cached beside the text tower (unless OODSYNTH_MODELS names another store).
        let store = ProcessInfo.processInfo.environment["OODSYNTH_MODELS"] ?? URL(fileURLWithPath: folder).deletingLastPathComponent().path
        let images = try Shell.run("python3 Tests/interop/check_builtin.py '\(store)/oodsynth-builtin' '\(dir.path)/e.tar' 40")
        #expect(images.status == 0, "\(images.stderr)")
    }

    /// The same samples, bit for bit, whatever --batch and the core count: a sample's embedding never
    /// depends on the batch it came in (GEMMKernel), and the header names the kernel behind the bits.
    @Test func embeddingsDoNotDependOnBatchOrCoreCount() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let decoded = try Shell.run("oodsynth decode \(DecodeWriteTests.samples) -q -o '\(dir.path)/d.tar'")
        #expect(decoded.status == 0, "\(decoded.stderr)")
        var digests: Set<String> = []
        for (batch, threads) in [(1, 1), (7, 2), (32, 2), (64, 1)] {
            let out = "\(dir.path)/e-\(batch)-\(threads).tar"
            let run = try Shell.run("""
                OPENBLAS_NUM_THREADS=\(threads) oodsynth embed --model \(Self.tinyCLIP) --batch \(batch) -q -i '\(dir.path)/d.tar' -o '\(out)' \
                && python3 Tests/interop/sample_digest.py '\(out)'
                """)
            #expect(run.status == 0, "\(run.stderr)")
            digests.insert(String(decoding: run.stdout, as: UTF8.self))
        }
        #expect(digests.count == 1, "\(digests)")
        #expect(digests.first?.hasPrefix("2160 ") == true, "\(digests)")  // 360 samples x 6 members
        let header = try Shell.run("python3 -c 'import json,sys,tarfile; t=tarfile.open(sys.argv[1]); print(json.load(t.extractfile(\"__stream__.json\"))[\"stages\"][-1][\"kernel\"])' '\(dir.path)/e-1-1.tar'")
        #expect(String(decoding: header.stdout, as: UTF8.self).hasPrefix("blis "), "\(header.stderr)")
    }

    @Test func refusesToMixTwoModels() throws {
        let run = try Shell.run("oodsynth decode \(Self.input) -q | oodsynth embed --model \(Self.tinyCLIP) -q | oodsynth embed --model \(Self.tinyCLIP) -q > /dev/null")
        #expect(run.status == 0, "the same model twice is fine: \(run.stderr)")
        let other = try Shell.run("""
            tmp=$(mktemp -d) && cp -r \(Self.tinyCLIP) "$tmp/other-clip" && printf 'x' >> "$tmp/other-clip/config.json.bak" \
            && python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-1]^=1; open(sys.argv[1],"wb").write(d)' "$tmp/other-clip/model.safetensors" \
            && oodsynth decode \(Self.input) -q | oodsynth embed --model \(Self.tinyCLIP) -q | oodsynth embed --model "$tmp/other-clip" -q > /dev/null
            """)
        #expect(other.status != 0)
        #expect(other.stderr.contains("mix"), "\(other.stderr)")
    }

    @Test func unknownModelFolderIsAOneLineError() throws {
        let run = try Shell.run("oodsynth decode \(Self.input) -q | oodsynth embed --model Samples")
        #expect(run.status != 0)
        #expect(run.stderr.contains("Samples"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }
}

/// A sample whose image cannot be decoded is skipped whole and counted; the rest are embedded.
@Suite struct EmbedBadSampleTests {
    @Test func corruptImageIsSkippedAndCounted() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = dir.path
        let run = try Shell.run("""
            oodsynth decode \(EmbedTests.input) -q -o '\(d)/in.tar' \
            && python3 Tests/interop/corrupt_member.py '\(d)/in.tar' '\(d)/bad.tar' 000000002.jpg \
            && oodsynth embed --model \(EmbedTests.tinyCLIP) -i '\(d)/bad.tar' -o '\(d)/out.tar'
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("skipped 1 (corrupt 1)"), "\(run.stderr)")
        #expect(run.stderr.contains("000000002"), "\(run.stderr)")
        let names = try Shell.run("tar -tf '\(d)/out.tar'")
        let listing = String(decoding: names.stdout, as: UTF8.self)
        // Keys are the images' positions in the input: mixed.tar's bad members leave holes (1, 3, 4).
        #expect(!listing.contains("000000002."), "\(listing)")
        #expect(listing.contains("000000000.img.npy") && listing.contains("000000005.img.npy"), "\(listing)")
    }
}
