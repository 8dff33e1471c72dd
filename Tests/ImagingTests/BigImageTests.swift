import Foundation
import Imaging
import Testing

/// The 20990x29700 RGBA openclipart stop sign (about 2.5 GB as RGBA) must decode to 512 px with the
/// right pixels. Its 300 MB peak-RSS bound is asserted in a process of its own
/// (PipelineTests.BigImageTests, through `oodsynth decode`): this test process also runs the suites
/// that load WordNet and fit models in parallel, so its own peak says nothing about the decoder.
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
    }
}
