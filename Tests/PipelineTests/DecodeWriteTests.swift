import Foundation
import Testing

/// End-to-end behaviour of `oodsynth decode | oodsynth write`, run as a user runs it.
@Suite struct DecodeWriteTests {
    static let samples = "Samples/openclipart-12.tar"

    @Test func shardsReadBackByWebDatasetAndTar() throws {
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try Shell.run("oodsynth decode \(Self.samples) | oodsynth write --out '\(out.path)' --max-count 100")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("skipped 0"), "\(run.stderr)")
        let listing = try Shell.run("tar -tvf '\(out.path)/ood-000000.tar'")
        #expect(listing.status == 0 && !listing.stdout.isEmpty, "\(listing.stderr)")
        try #require(Shell.hasPython, "python3 with webdataset, PIL and numpy is needed (scripts/setup test installs them)")
        let check = try Shell.run("python3 Tests/interop/check_shards.py '\(out.path)' \(Self.samples)")
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test func outputIsByteIdenticalAcrossRunsAndWorkerCounts() throws {
        let one = try Shell.run("oodsynth decode \(Self.samples) --workers 1 -q")
        let two = try Shell.run("oodsynth decode \(Self.samples) --workers 2 -q")
        let again = try Shell.run("oodsynth decode \(Self.samples) --workers 2 -q")
        #expect(one.status == 0 && two.status == 0 && again.status == 0, "\(one.stderr)\(two.stderr)")
        #expect(one.stdout.count > 100_000)
        #expect(one.stdout == two.stdout)
        #expect(two.stdout == again.stdout)
    }

    @Test func writeRefusesNonEmptyFolderWithoutOverwrite() throws {
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        try Data("keep me".utf8).write(to: out.appendingPathComponent("notes.txt"))
        let refused = try Shell.run("oodsynth decode Samples/bad/mixed.tar -q | oodsynth write --out '\(out.path)'")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(out.path), "\(refused.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("notes.txt").path))
    }

    @Test func missingInputNamesThePath() throws {
        let run = try Shell.run("oodsynth decode no/such/input.tar")
        #expect(run.status != 0)
        #expect(run.stderr.contains("no/such/input.tar"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }

    @Test func writeRejectsAStreamWithoutHeader() throws {
        let run = try Shell.run("tar -cf - -C Samples/bad not-an-image.jpg | oodsynth write --out \"$(mktemp -d)/x\"")
        #expect(run.status != 0)
        #expect(run.stderr.contains("__stream__"), "\(run.stderr)")
    }
}

/// WebDataset shards are an input like any archive: flat `KEY.png` + `KEY.txt` + `KEY.cls` members.
@Suite struct ShardInputTests {
    @Test func decodingOurOwnShardsKeepsCaptionsAndClasses() throws {
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let made = try Shell.run("oodsynth decode \(DecodeWriteTests.samples) -q | oodsynth write --out '\(out.path)' --max-count 100 -q")
        #expect(made.status == 0, "\(made.stderr)")
        let again = try Shell.run("oodsynth decode '\(out.path)'/ood-00000{0,1,2,3}.tar --output '\(out.path)/again.tar'")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("emitted 360"), "\(again.stderr)")
        let check = try Shell.run("""
            python3 -c '
            import json, tarfile, sys
            tar = tarfile.open(sys.argv[1])
            header = json.load(tar.extractfile("__stream__.json"))
            classes = header["classes"]
            assert classes == [str(i) for i in range(12)], classes
            captions = [tar.extractfile(m).read().decode() for m in tar.getmembers() if m.name.endswith(".txt")]
            assert len(captions) == 360 and not any(c.startswith("a photo of") for c in captions), captions[:3]
            ' '\(out.path)/again.tar'
            """)
        #expect(check.status == 0, "\(check.stderr)")
    }
}

/// The same images give the same samples whether they come in a tar, a tar.gz, a zip or a folder.
@Suite struct ArchiveFormatTests {
    @Test func tarGzipZipAndFolderDecodeAlike() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = dir.path
        let prepare = try Shell.run("python3 Tests/interop/archive_variants.py make \(DecodeWriteTests.samples) '\(d)'")
        #expect(prepare.status == 0, "\(prepare.stderr)")
        let inputs = ["tar": DecodeWriteTests.samples, "gz": "\(d)/set.tar.gz", "zip": "\(d)/set.zip", "folder": "\(d)/folder"]
        for (name, input) in inputs {
            let run = try Shell.run("oodsynth decode '\(input)' -q --output '\(d)/out-\(name).tar'")
            #expect(run.status == 0, "\(input): \(run.stderr)")
        }
        let compare = try Shell.run("cd '\(d)' && python3 \(Shell.repository.path)/Tests/interop/archive_variants.py compare out-tar.tar out-gz.tar out-zip.tar out-folder.tar")
        #expect(compare.status == 0, "\(compare.stderr)")
    }
}
