import Imaging
import Testing

@Suite struct ResampleTests {
    /// Resampler.resize against PIL's Image.resize(size, BICUBIC) of the same pixels. Same weights,
    /// fixed-point arithmetic and pass order as PIL, so it is expected to match to within 1.
    @Test(arguments: Fixtures.names(kind: "resize"))
    func matchesPIL(name: String) throws {
        let fixture = try Fixtures.fixture(name)
        let source = try Fixtures.reference(try #require(fixture.source))
        let resized = Resampler.resize(source, width: fixture.width, height: fixture.height)
        let reference = try Fixtures.reference(name)
        try #require(resized.width == reference.width && resized.height == reference.height)
        let diff = difference(resized, reference)
        #expect(diff.mean < 0.05 && diff.max <= 1, "max \(diff.max) mean \(diff.mean)")
    }

    @Test func sameSizeIsIdentity() throws {
        let image = try Fixtures.reference("rgb.png")
        #expect(Resampler.resize(image, width: image.width, height: image.height) == image)
    }

    @Test func flatColourStaysFlat() {
        let image = RGBImage(width: 37, height: 23, red: 200, green: 10, blue: 99)
        let resized = Resampler.resize(image, width: 5, height: 90)
        #expect(resized == RGBImage(width: 5, height: 90, red: 200, green: 10, blue: 99))
    }
}
