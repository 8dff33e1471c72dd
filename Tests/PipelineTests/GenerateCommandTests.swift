import Foundation
import Testing

/// `oodsynth generate` at the command line, on captions of gaps of Samples embedded with the builtin
/// model. The images are measured by Tests/interop/check_generated.py (numpy, PIL).
@Suite struct GenerateCommandTests {
    static let captioned: Result<URL, Error> = Result {
        let gaps = try CaptionCommandTests.gaps.get().path
        let dir = try Shell.temporaryDirectory()
        let run = try Shell.run("oodsynth caption --per-gap 1 --pool 1500 -q -i '\(gaps)' -o '\(dir.path)/c.tar'")
        guard run.status == 0 else { throw GapsCommandTests.ShellFailure(message: run.stderr) }
        return dir.appendingPathComponent("c.tar")
    }

    struct Measures: Decodable {
        var count: Int
        var minRMSE: Double
        var generated: Double
        var randomReference: Double
        var shareNearer: Double

        enum CodingKeys: String, CodingKey {
            case count, minRMSE = "min_rmse", generated = "gap_cos_generated", randomReference = "gap_cos_random_reference"
            case shareNearer = "share_nearer"
        }
    }

    @Test func builtinImagesAreNewAndNearerTheirGapThanARandomReference() throws {
        let references = try GapsCommandTests.embedded.get().path
        let captions = try Self.captioned.get().path
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            oodsynth generate --references '\(references)' --size 48 --steps 10 -i '\(captions)' -o '\(dir.path)/g.tar' \
            && oodsynth embed --model builtin -q -i '\(dir.path)/g.tar' -o '\(dir.path)/e.tar'
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("12 images for 12 captions"), "\(run.stderr)")
        let check = try Shell.run("cd Tests/interop && python3 check_generated.py '\(references)' '\(dir.path)/e.tar' 48")
        try #require(check.status == 0, "\(check.stderr)")
        let measures = try JSONDecoder().decode(Measures.self, from: check.stdout)
        #expect(measures.count == 12)
        // The sampler refuses anything within RMSE 0.1 of a reference; PIL's resize of the references
        // may differ from ours by a level here and there, hence the small margin.
        #expect(measures.minRMSE >= 0.095, "\(measures)")
        #expect(measures.generated > measures.randomReference, "\(measures)")
        let json = try Shell.run("tar -xOf '\(dir.path)/g.tar' $(tar -tf '\(dir.path)/g.tar' | grep '_c00.json$' | head -1)")
        let text = String(decoding: json.stdout, as: UTF8.self)
        #expect(text.contains(#""backend":"builtin""#) && text.contains(#""references":""#) && text.contains(#""negative_prompt":""#), "\(text)")
        let again = try Shell.run("oodsynth generate --references '\(references)' --size 48 --steps 10 --workers 1 -q -i '\(captions)' | cmp - '\(dir.path)/g.tar'")
        #expect(again.status == 0, "images differ between 2 threads and 1: \(again.stderr)")
    }

    @Test func diffusersWorkerEndToEnd() throws {
        try #require(Shell.hasPython && (try Shell.run("python3 -c 'import diffusers'")).status == 0,
                     "diffusers is not installed (scripts/setup test installs it)")
        let captions = try Self.captioned.get().path
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let backend = "worker:python3 scripts/diffusion-worker.py --tiny-random"
        let run = try Shell.run("oodsynth generate --backend '\(backend)' --size 64 --steps 3 -i '\(captions)' -o '\(dir.path)/g.tar'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("12 images for 12 captions"), "\(run.stderr)")
        let sizes = try Shell.run("""
            cd Tests/interop && python3 -c "
            import io, json, sys
            from PIL import Image
            from oodstream import samples
            for key, f in samples(sys.argv[1])[1:]:
                g = json.loads(f['json'])['generation']
                print(Image.open(io.BytesIO(f['png'])).size, g['backend'], g['image_embeds'], bool(g['negative_prompt']))
            " '\(dir.path)/g.tar' | sort | uniq -c
            """)
        #expect(String(decoding: sizes.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                == "12 (64, 64) worker not sent True", "\(String(decoding: sizes.stdout, as: UTF8.self)) \(sizes.stderr)")
        let again = try Shell.run("oodsynth generate --backend '\(backend)' --size 64 --steps 3 -q -i '\(captions)' | cmp - '\(dir.path)/g.tar'")
        #expect(again.status == 0, "worker images are not byte-identical across runs: \(again.stderr)")
    }

    @Test func badBackendsAndReferencesAreOneLineErrors() throws {
        let captions = try Self.captioned.get().path
        // Bad options get ArgumentParser's usage hint after the error line, like every command's.
        for (script, message) in [("oodsynth generate --backend dalle -i '\(captions)'", "--backend must be builtin, worker:CMD or a1111:URL"),
                                  ("oodsynth generate -i '\(captions)'", "needs --references")] {
            let run = try Shell.run(script + " > /dev/null")
            #expect(run.status != 0, "\(script)")
            #expect(run.stderr.split(separator: "\n").first?.contains(message) == true, "\(script): \(run.stderr)")
        }
        let cases: [(String, String)] = [
            ("oodsynth decode -q Samples/openclipart-12.tar > refs.tar; oodsynth generate --references refs.tar -i '\(captions)'",
             "no usable reference images"),
            ("oodsynth generate --backend 'worker:exit 7' -i '\(captions)'", "exited with status 7 before its handshake"),
            ("oodsynth generate --backend a1111:http://127.0.0.1:9 --retries 0 -i '\(captions)'", "cannot reach the A1111 API"),
        ]
        for (script, message) in cases {
            let run = try Shell.run("cd \"$(mktemp -d)\" && ln -s '\(Shell.repository.path)/Samples' Samples && " + script + " > /dev/null")
            #expect(run.status != 0, "\(script)")
            #expect(run.stderr.contains(message), "\(script): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(script): \(run.stderr)")
        }
    }
}
