import Foundation
import Testing

/// `decode --alpha`: transparent openclipart PNGs decoded three ways, checked pixel by pixel against
/// the definitions (PIL), and embedded with the tiny CLIP against transformers' two usual pipelines:
/// the image handed to CLIPImageProcessor as it is (transformers composites RGBA on white) and after
/// PIL's convert('RGB') (alpha dropped, as open_clip and most scripts do).
@Suite struct AlphaTests {
    static let images: Result<URL, Error> = Result {
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("tar -xf Samples/openclipart-12.tar -C '\(dir.path)' fruit")
        guard run.status == 0 else { throw GapsCommandTests.ShellFailure(message: run.stderr) }
        return dir.appendingPathComponent("fruit")
    }

    struct Peer: Decodable {
        var samples: Int
        var transparent: Int
        var minCosine: Double
        enum CodingKeys: String, CodingKey { case samples, transparent, minCosine = "min_cosine" }
    }

    @Test(arguments: ["composite-white", "composite-black", "drop"])
    func pixelsFollowTheDefinition(mode: String) throws {
        let images = try Self.images.get().path
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            oodsynth decode '\(images)' --alpha \(mode) --max-side 100000 --format png -q -o '\(dir.path)/d.tar' \
            && cd Tests/interop && python3 alpha_pixels.py '\(dir.path)/d.tar' '\(images)' \(mode)
            """)
        try #require(run.status == 0, "\(run.stderr)")
        let text = String(decoding: run.stdout, as: UTF8.self)
        let result = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Double] ?? [:]
        #expect((result["transparent_pixels"] ?? 0) > 1000, "\(text)")
        #expect((result["max_difference"] ?? 99) <= 1, "\(mode): \(text)")
        let header = try Shell.run("tar -xOf '\(dir.path)/d.tar' __stream__.json")
        let recorded = String(decoding: header.stdout, as: UTF8.self).contains("\"alpha\":\"\(mode)\"")
        #expect(recorded == (mode != "composite-white"), "the header records only a mode other than the default")
    }

    @Test func eachModeMatchesItsTransformersPipeline() throws {
        let images = try Self.images.get().path
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func peer(_ mode: String, _ way: String) throws -> Peer {
            let stream = "\(dir.path)/\(mode).tar"
            if !FileManager.default.fileExists(atPath: stream) {
                let embed = try Shell.run("""
                    oodsynth decode '\(images)' --alpha \(mode) --max-side 100000 -q \
                      | oodsynth embed --model \(EmbedTests.tinyCLIP) -q > '\(stream)'
                    """)
                try #require(embed.status == 0, "\(embed.stderr)")
            }
            let run = try Shell.run("cd Tests/interop && python3 alpha_peer.py '\(stream)' ../EncodersTests/Resources/tiny-clip '\(images)' \(way)")
            try #require(run.status == 0, "\(run.stderr)")
            return try JSONDecoder().decode(Peer.self, from: run.stdout)
        }
        let drop = try peer("drop", "convert"), white = try peer("composite-white", "processor")
        #expect(drop.transparent >= 10 && drop.minCosine > 0.999, "--alpha drop against convert('RGB'): \(drop)")
        #expect(white.minCosine > 0.999, "the default against CLIPImageProcessor on RGBA: \(white)")
        // The two pipelines really differ on these images: a mode matches one, not both.
        let crossed = try peer("drop", "processor")
        #expect(crossed.minCosine < 0.99, "\(crossed)")
    }
}
