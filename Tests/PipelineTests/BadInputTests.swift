import Foundation
import Testing

/// Every file in Samples/bad/ handled as Samples/bad/README.md says: bad samples skipped and counted
/// by reason, good ones kept, broken archives stopped with a one-line error after the good part.
@Suite struct BadInputTests {
    /// The keys and extensions of a stream, read by GNU tar.
    static func members(_ stream: Data) throws -> [String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("oodsynth-\(UUID().uuidString).tar")
        try stream.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let listing = try Shell.run("tar -tf '\(file.path)'")
        return String(decoding: listing.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func mixedArchiveKeepsGoodImagesAndCountsBadOnes() throws {
        let run = try Shell.run("oodsynth decode Samples/bad/mixed.tar")
        #expect(run.status == 0, "\(run.stderr)")
        let names = try Self.members(run.stdout)
        #expect(names.first == "__stream__.json")
        let images = names.filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }
        #expect(images.count >= 2, "\(names)")
        for reason in ["corrupt", "too-many-pixels", "not-an-image"] {
            #expect(run.stderr.contains(reason), "no \(reason) in: \(run.stderr)")
        }
    }

    @Test func truncatedTarStopsAfterEmittingWhatWasRead() throws {
        let run = try Shell.run("oodsynth decode Samples/bad/truncated.tar")
        #expect(run.status != 0)
        let lastLine = run.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.contains("Samples/bad/truncated.tar"), "\(run.stderr)")
        #expect(lastLine.lowercased().contains("truncated"), "\(run.stderr)")
        let names = try Self.members(run.stdout)
        #expect(names.contains { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }, "\(names)")
    }

    @Test func zipSlipEntriesAreRefusedAndTheSafeOneKept() throws {
        let run = try Shell.run("oodsynth decode Samples/bad/zip-slip.zip")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("unsafe-path 2"), "\(run.stderr)")
        let names = try Self.members(run.stdout)
        #expect(names.filter { $0.hasSuffix(".png") }.count == 1, "\(names)")
    }

    @Test func symlinkOutOfTheArchiveIsRefused() throws {
        let run = try Shell.run("oodsynth decode Samples/bad/symlink-escape.tar")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("unsafe-link 1"), "\(run.stderr)")
    }

    @Test func folderOfBadFilesSkipsEachWithItsReason() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let setup = try Shell.run("""
            mkdir -p '\(dir.path)/things' && cp Samples/bad/truncated.png Samples/bad/truncated.jpg \
              Samples/bad/huge-header.png Samples/bad/not-an-image.jpg '\(dir.path)/things/' \
            && ln -s /etc/passwd '\(dir.path)/things/escape.png'
            """)
        #expect(setup.status == 0, "\(setup.stderr)")
        let run = try Shell.run("oodsynth decode '\(dir.path)'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("emitted 0"), "\(run.stderr)")
        #expect(run.stderr.contains("corrupt 2"), "\(run.stderr)")
        #expect(run.stderr.contains("too-many-pixels 1"), "\(run.stderr)")
        #expect(run.stderr.contains("not-an-image 1"), "\(run.stderr)")
        #expect(run.stderr.contains("unsafe-link 1"), "\(run.stderr)")
    }

    @Test func maxPixelsRejectsBeforeDecoding() throws {
        let run = try Shell.run("oodsynth decode Samples/bad/mixed.tar --max-pixels 100")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("emitted 0"), "\(run.stderr)")
    }

    @Test func standardInputIsReadLikeAnArchive() throws {
        let direct = try Shell.run("oodsynth decode Samples/bad/mixed.tar -q")
        let piped = try Shell.run("cat Samples/bad/mixed.tar | oodsynth decode -q")
        #expect(piped.status == 0, "\(piped.stderr)")
        let strip: (Data) throws -> [String] = { try BadInputTests.members($0) }
        #expect(try strip(direct.stdout) == strip(piped.stdout))
    }
}
