import Imaging
import Testing

@Suite struct CodecErrorTests {
    @Test(arguments: ["rgb.png", "interlaced_rgba.png", "baseline.jpg", "progressive.jpg"])
    func truncatedIsCorrupt(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let cut = Array(bytes.prefix(bytes.count * 2 / 3))
        #expect {
            _ = try ImageDecoder.decode(cut)
        } throws: { error in
            guard case .corrupt = error as? ImageError else { return false }
            return true
        }
        let header = Array(bytes.prefix(20))
        #expect {
            _ = try ImageDecoder.decode(header)
        } throws: { error in
            guard case .corrupt = error as? ImageError else { return false }
            return true
        }
    }

    /// A flipped byte inside the image data fails the chunk CRC.
    @Test func damagedPNGDataIsCorrupt() throws {
        var bytes = try Fixtures.bytes("rgb.png")
        let idat = try #require((0..<bytes.count - 4).first { Array(bytes[$0..<$0 + 4]) == Array("IDAT".utf8) })
        bytes[idat + 20] ^= 0x55
        #expect {
            _ = try ImageDecoder.decode(bytes)
        } throws: { error in
            guard case .corrupt = error as? ImageError else { return false }
            return true
        }
    }

    @Test func textIsNotAnImage() {
        #expect(throws: ImageError.notAnImage) {
            _ = try ImageDecoder.decode(Array("hello, this is plain text\n".utf8))
        }
        #expect(throws: ImageError.notAnImage) { _ = try ImageDecoder.decode([]) }
    }

    @Test func hugeHeaderIsRejectedBeforeDecoding() throws {
        let bytes = try Fixtures.bytes("huge_header.png")
        #expect(throws: ImageError.tooManyPixels(width: 100_000, height: 100_000, limit: 1_000_000_000)) {
            _ = try ImageDecoder.decode(bytes)
        }
        let jpeg = try Fixtures.bytes("baseline.jpg")
        #expect(throws: ImageError.tooManyPixels(width: 150, height: 90, limit: 10_000)) {
            _ = try ImageDecoder.decode(jpeg, options: DecodeOptions(maxPixels: 10_000))
        }
    }

    @Test func descriptionsAreOneLine() {
        let errors: [ImageError] = [.notAnImage, .corrupt("bad\nthing"), .unsupported("x"), .outOfMemory,
                                    .tooManyPixels(width: 1, height: 2, limit: 1)]
        for error in errors {
            #expect(!error.description.isEmpty)
            #expect(!error.description.contains("\n"))
        }
        #expect(ImageError.tooManyPixels(width: 3, height: 4, limit: 5).description.contains("3x4"))
    }
}
