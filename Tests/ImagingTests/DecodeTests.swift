import Foundation
import Imaging
import Testing

@Suite struct DecodeTests {
    @Test func fixturesArePresent() {
        #expect(Fixtures.names(kind: "png").count >= 10)
        #expect(Fixtures.names(kind: "png16").count == 2)
        #expect(Fixtures.names(kind: "jpeg").count >= 7)
        #expect(Fixtures.names(kind: "downscale").count >= 3)
        #expect(Fixtures.names(kind: "resize").count >= 4)
    }

    /// PNGs decode to exactly what PIL gives (composited on white); 16-bit ones to libpng's
    /// png_set_scale_16 rounding, recomputed in numpy by the golden script.
    @Test(arguments: Fixtures.names(kind: "png") + Fixtures.names(kind: "png16"))
    func pngMatchesReference(name: String) throws {
        let decoded = try ImageDecoder.decode(try Fixtures.bytes(name))
        let reference = try Fixtures.reference(name)
        #expect(decoded.format == .png)
        #expect(decoded.width == reference.width && decoded.height == reference.height)
        #expect(decoded.image.width == reference.width && decoded.image.height == reference.height)
        #expect(decoded.image == reference, "max diff \(difference(decoded.image, reference).max)")
    }

    /// JPEGs match PIL within 2 per channel. PIL 13 bundles libjpeg-turbo 3.x, this build links
    /// the system libjpeg-turbo 2.1; both use the integer IDCT and fancy upsampling.
    /// exif3/exif6 also check orientation against PIL's ImageOps.exif_transpose.
    @Test(arguments: Fixtures.names(kind: "jpeg"))
    func jpegMatchesReference(name: String) throws {
        let decoded = try ImageDecoder.decode(try Fixtures.bytes(name))
        let reference = try Fixtures.reference(name)
        #expect(decoded.format == .jpeg)
        #expect(!decoded.hasAlpha)
        try #require(decoded.image.width == reference.width && decoded.image.height == reference.height)
        #expect(decoded.width == reference.width && decoded.height == reference.height)
        let diff = difference(decoded.image, reference)
        #expect(diff.max <= 2, "max \(diff.max) mean \(diff.mean)")
    }

    @Test func orientationSixTurnsTheImage() throws {
        let plain = try ImageDecoder.decode(try Fixtures.bytes("baseline.jpg")).image
        let turned = try ImageDecoder.decode(try Fixtures.bytes("exif6.jpg"))
        #expect(turned.width == plain.height && turned.height == plain.width)
        // Orientation 6 shows the stored image turned clockwise: the top-left shown pixel is
        // the stored bottom-left one.
        let w = plain.width, h = plain.height
        let shown = turned.image
        for (x, y) in [(0, 0), (5, 7), (shown.width - 1, shown.height - 1)] {
            let source = ((h - 1 - x) * w + y) * 3
            let target = (y * shown.width + x) * 3
            let d = abs(Int(shown.pixels[target]) - Int(plain.pixels[source]))
            #expect(d <= 2)
        }
    }

    @Test func alphaFlagFollowsTheSource() throws {
        #expect(try ImageDecoder.decode(try Fixtures.bytes("rgba.png")).hasAlpha)
        #expect(try ImageDecoder.decode(try Fixtures.bytes("palette4_trns.png")).hasAlpha)
        #expect(try !ImageDecoder.decode(try Fixtures.bytes("rgb.png")).hasAlpha)
        #expect(try !ImageDecoder.decode(try Fixtures.bytes("palette1.png")).hasAlpha)
    }

    /// Decoding with maxSide (streaming box reduction, then bicubic) matches PIL's
    /// resize(..., BICUBIC, reducing_gap=2.0) of the full image.
    @Test(arguments: Fixtures.names(kind: "downscale"))
    func downscaleMatchesPIL(name: String) throws {
        let fixture = try Fixtures.fixture(name)
        let source = try #require(fixture.source)
        let decoded = try ImageDecoder.decode(try Fixtures.bytes(source), options: DecodeOptions(maxSide: fixture.maxSide))
        let reference = try Fixtures.reference(name)
        try #require(decoded.image.width == reference.width && decoded.image.height == reference.height)
        let diff = difference(decoded.image, reference)
        #expect(diff.mean < 0.1 && diff.max <= 2, "max \(diff.max) mean \(diff.mean)")
    }

    @Test func targetSizeRule() {
        #expect(ImageDecoder.targetSize(width: 1000, height: 500, maxSide: 224) == (224, 112))
        #expect(ImageDecoder.targetSize(width: 501, height: 1000, maxSide: 100) == (50, 100))
        #expect(ImageDecoder.targetSize(width: 100, height: 50, maxSide: 224) == (100, 50))
        #expect(ImageDecoder.targetSize(width: 10000, height: 3, maxSide: 100) == (100, 1))
        #expect(ImageDecoder.targetSize(width: 100, height: 50, maxSide: nil) == (100, 50))
    }

    /// An interlaced PNG decoded with maxSide goes through the sparse accumulator and must agree
    /// with the non-interlaced original taking the dense path.
    @Test func interlacedDownscaleMatchesDense() throws {
        let options = DecodeOptions(maxSide: 40)
        let dense = try ImageDecoder.decode(try Fixtures.bytes("grey_alpha.png"), options: options)
        let sparse = try ImageDecoder.decode(try Fixtures.bytes("interlaced_grey_alpha.png"), options: options)
        #expect(dense.image.width == 40 && dense.image.height == 40)
        #expect(dense.image == sparse.image)
    }

    /// JPEG DCT scaling plus box reduction stays close to resizing the full decode.
    @Test func jpegScaledDecodeIsCloseToFullResize() throws {
        var pixels = [UInt8](repeating: 0, count: 640 * 480 * 3)
        for y in 0..<480 {
            for x in 0..<640 {
                let i = (y * 640 + x) * 3
                pixels[i] = UInt8(x * 255 / 639)
                pixels[i + 1] = UInt8(y * 255 / 479)
                pixels[i + 2] = UInt8((x + y) % 256 / 2 + 64)
            }
        }
        let image = try #require(RGBImage(width: 640, height: 480, pixels: pixels))
        let jpeg = try JPEGEncoder.encode(image, quality: 92)
        let full = try ImageDecoder.decode(jpeg).image
        let small = try ImageDecoder.decode(jpeg, options: DecodeOptions(maxSide: 64))
        #expect(small.width == 640 && small.height == 480)
        #expect(small.image.width == 64 && small.image.height == 48)
        let diff = difference(small.image, Resampler.resize(full, width: 64, height: 48))
        #expect(diff.mean < 1.5 && diff.max <= 8, "max \(diff.max) mean \(diff.mean)")
    }

    @Test func sniffing() {
        #expect(ImageFormat(sniffing: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ImageFormat(sniffing: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat(sniffing: Array("GIF89a".utf8)) == nil)
        #expect(ImageFormat(sniffing: [UInt8]()) == nil)
    }
}
