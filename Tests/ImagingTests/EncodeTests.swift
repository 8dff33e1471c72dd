import Imaging
import Testing

@Suite struct EncodeTests {
    @Test(arguments: ["rgb.png", "chips.png", "palette1.png"])
    func pngRoundTripIsExact(name: String) throws {
        let image = try Fixtures.reference(name)
        let encoded = try PNGEncoder.encode(image)
        #expect(ImageFormat(sniffing: encoded) == .png)
        let decoded = try ImageDecoder.decode(encoded)
        #expect(decoded.image == image)
        #expect(!decoded.hasAlpha)
        #expect(try PNGEncoder.encode(image) == encoded, "deterministic")
    }

    @Test func jpegRoundTripIsClose() throws {
        let image = try Fixtures.reference("chips.png")
        let encoded = try JPEGEncoder.encode(image, quality: 95)
        #expect(ImageFormat(sniffing: encoded) == .jpeg)
        let decoded = try ImageDecoder.decode(encoded)
        #expect(decoded.width == image.width && decoded.height == image.height)
        let diff = difference(decoded.image, image)
        #expect(diff.mean < 4.0 && diff.max < 120, "max \(diff.max) mean \(diff.mean)")
        #expect(try JPEGEncoder.encode(image, quality: 95) == encoded, "deterministic")
        #expect(try JPEGEncoder.encode(image, quality: 30).count < encoded.count)
    }

    @Test func oddSizesEncode() throws {
        let image = RGBImage(width: 1, height: 3, red: 1, green: 2, blue: 3)
        #expect(try ImageDecoder.decode(try PNGEncoder.encode(image)).image == image)
        let jpeg = try ImageDecoder.decode(try JPEGEncoder.encode(image)).image
        #expect(jpeg.width == 1 && jpeg.height == 3)
    }
}
