import Foundation
import Imaging
import Testing

/// The 20990x29700 RGBA openclipart stop sign (about 2.5 GB as RGBA) must decode to 512 px
/// within 300 MB peak RSS: rows stream through the box reducer and never exist at full size.
@Suite struct BigImageTests {
    static let path = "/usr/share/openclipart/png/signs_and_symbols/stop_sign_miguel_s_nchez_.png"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: path),
                   "openclipart-png stop sign not installed"))
    func bigPNGDecodesInBoundedMemory() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path)))
        let decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(maxSide: 512))
        #expect(decoded.width == 20990 && decoded.height == 29700)
        #expect(decoded.image.height == 512 && decoded.image.width == 362)
        // The stop sign is mostly red: the centre must not be white or black.
        let centre = (256 * decoded.image.width + 181) * 3
        #expect(decoded.image.pixels[centre] > 120)
        let peak = try #require(Self.peakResidentMegabytes())
        #expect(peak < 300, "peak RSS \(peak) MB")
    }

    /// VmHWM of this process from /proc/self/status, in MB.
    static func peakResidentMegabytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }
}
