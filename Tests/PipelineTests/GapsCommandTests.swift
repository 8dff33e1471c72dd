import Foundation
import Testing

/// `oodsynth gaps` at the command line, on Samples embedded with the builtin model, checked by numpy
/// and faiss (Tests/interop/check_gaps.py).
@Suite struct GapsCommandTests {
    /// Samples embedded once with the builtin model, shared by the tests of this suite.
    static let embedded: Result<URL, Error> = Result {
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("oodsynth decode \(DecodeWriteTests.samples) -q | oodsynth embed -q -o '\(dir.path)/e.tar'")
        guard run.status == 0 else { throw ShellFailure(message: run.stderr) }
        return dir.appendingPathComponent("e.tar")
    }

    struct ShellFailure: Error { let message: String }

    @Test(arguments: ["knn-boundary", "class-gaussian", "interpolate", "boundary-crossing", "mix"])
    func everyMethodGivesCheckedGaps(method: String) throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let input = try Self.embedded.get().path
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try Shell.run("oodsynth gaps --method \(method) --count 24 --seed 3 -i '\(input)' -o '\(out.path)/g.tar'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("24 gaps kept"), "\(run.stderr)")
        let check = try Shell.run("python3 Tests/interop/check_gaps.py '\(input)' '\(out.path)/g.tar' 24")
        #expect(check.status == 0, "\(check.stderr)")
        let header = try Shell.run("tar -xOf '\(out.path)/g.tar' __stream__.json")
        let text = String(decoding: header.stdout, as: UTF8.self)
        #expect(text.contains("\"id_set\"") && text.contains("\"name\":\"gaps\""), "\(text.prefix(300))")
    }

    @Test func sameSeedGivesTheSameBytes() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let input = try Self.embedded.get().path
        let twice = try Shell.run("""
            a=$(oodsynth gaps --method mix --count 16 -q < '\(input)' | sha256sum)
            b=$(oodsynth gaps --method mix --count 16 -q < '\(input)' | sha256sum)
            c=$(oodsynth gaps --method mix --count 16 --seed 9 -q < '\(input)' | sha256sum)
            test "$a" = "$b" && test "$a" != "$c"
            """)
        #expect(twice.status == 0, "\(twice.stderr)")
    }

    @Test func textSpaceWorksToo() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let input = try Self.embedded.get().path
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try Shell.run("""
            oodsynth gaps --space text --method interpolate --count 12 -q -i '\(input)' -o '\(out.path)/g.tar' \
            && python3 Tests/interop/check_gaps.py '\(input)' '\(out.path)/g.tar' 12
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(String(decoding: run.stdout, as: UTF8.self).contains("ok: 12 gaps"))
    }

    @Test func unusableEmbeddingsAndTinyClassesAreSkippedAndCounted() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let input = try Self.embedded.get().path
        let out = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        // Sample 0 gets a NaN embedding, sample 1 a zero one, and sample 2 becomes the only member of class 12.
        let run = try Shell.run("""
            python3 - '\(input)' '\(out.path)/bad.tar' <<'PY'
            import io, json, sys, tarfile, numpy as np
            src, dst = sys.argv[1], sys.argv[2]
            with tarfile.open(src) as r, tarfile.open(dst, "w", format=tarfile.USTAR_FORMAT) as w:
                for m in r.getmembers():
                    data = r.extractfile(m).read()
                    key, ext = m.name.split(".", 1)
                    if key == "__stream__":
                        h = json.loads(data); h["classes"].append("loner"); data = json.dumps(h).encode()
                    elif key == "000000000" and ext == "img.npy":
                        b = io.BytesIO(); np.save(b, np.full(384, np.nan, np.float32)); data = b.getvalue()
                    elif key == "000000001" and ext == "img.npy":
                        b = io.BytesIO(); np.save(b, np.zeros(384, np.float32)); data = b.getvalue()
                    elif key == "000000002" and ext == "cls":
                        data = b"12"
                    m.size = len(data)
                    w.addfile(m, io.BytesIO(data))
            PY
            oodsynth gaps --count 8 -i '\(out.path)/bad.tar' -o '\(out.path)/g.tar'
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("not-finite 1") && run.stderr.contains("zero-norm 1") && run.stderr.contains("small-class 1"), "\(run.stderr)")
        #expect(run.stderr.contains("class loner has 1 usable sample"), "\(run.stderr)")
        #expect(run.stderr.contains("357 ID embeddings"), "\(run.stderr)")
    }

    @Test func streamWithoutEmbeddingsIsAOneLineError() throws {
        let run = try Shell.run("oodsynth decode Samples/bad/mixed.tar -q | oodsynth gaps")
        #expect(run.status != 0)
        #expect(run.stderr.contains("no embeddings; run oodsynth embed first"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        let method = try Shell.run("oodsynth gaps --method nearest < /dev/null")
        #expect(method.status != 0)
        #expect(method.stderr.contains("--method"), "\(method.stderr)")
    }
}
