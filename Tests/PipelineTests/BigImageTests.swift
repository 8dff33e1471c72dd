import Foundation
import Testing

/// Decompression bombs at the command line: Debian's 20990x29700 openclipart PNGs decode within the
/// memory bound on all workers at once, and worse ones are refused before decoding.
@Suite struct BigImageCommandTests {
    static let folder = "/usr/share/openclipart/png"
    static let bigOnes = ["signs_and_symbols/stop_sign_miguel_s_nchez_.png", "transportation/roadsigns/stop_sign_right_font_mig_.png"]

    @Test(.enabled(if: FileManager.default.fileExists(atPath: folder + "/" + bigOnes[0]), "openclipart-png is not installed"))
    func twoGiantPNGsDecodeUnder300MegabytesOnTwoWorkers() throws {
        // Python measures the peak RSS of its child; the tar carries both giants into one decode.
        let script = """
            import resource, subprocess, sys
            tar = subprocess.Popen(["tar", "-cf", "-", "-C", "\(Self.folder)", "\(Self.bigOnes[0])", "\(Self.bigOnes[1])"], stdout=subprocess.PIPE)
            run = subprocess.run(["oodsynth", "decode", "-", "--workers", "2", "--max-side", "512", "-q"], stdin=tar.stdout, capture_output=True)
            tar.wait()
            print(run.returncode, len(run.stdout), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
            sys.stderr.write(run.stderr.decode())
            """
        let run = try Shell.run("python3 -c '\(script)'")
        #expect(run.status == 0, "\(run.stderr)")
        let fields = String(decoding: run.stdout, as: UTF8.self).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(fields.count == 3, "\(String(decoding: run.stdout, as: UTF8.self)) \(run.stderr)")
        #expect(fields[0] == 0, "\(run.stderr)")
        #expect(fields[1] > 10_000, "the two images should be in the stream")
        #expect(fields[2] < 300, "peak RSS \(fields[2]) MB")
    }

    @Test func pixelLimitRefusesTheGiantBeforeDecoding() throws {
        let run = try Shell.run("oodsynth decode Samples/bad/mixed.tar --max-pixels 1000000")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("100000x100000"), "\(run.stderr)")
    }
}
