import Foundation
import Testing

/// `oodsynth train` and `score` at the command line: a tiny CLIP, ID classes of Samples and, as the
/// synthetic set, embedded images of the other classes (their caption embedding standing in for the gap).
@Suite(.serialized) struct TrainCommandTests {
    static let tinyCLIP = EmbedTests.tinyCLIP

    /// Makes the split, the synthetic set (a folder written by `write`) and an embedded ID-test stream once.
    static let fixture: URL? = {
        guard let dir = try? Shell.temporaryDirectory() else { return nil }
        let run = try? Shell.run("""
            python3 scripts/split-samples.py Samples/openclipart-12.tar '\(dir.path)/split' >/dev/null \
            && oodsynth decode '\(dir.path)/split/ood-test' -q | oodsynth embed --model \(tinyCLIP) -q -o '\(dir.path)/ood.tar' \
            && python3 Tests/interop/copy_field.py '\(dir.path)/ood.tar' '\(dir.path)/syn.tar' txt.npy emb.npy \
            && oodsynth write --out '\(dir.path)/syn' -q -i '\(dir.path)/syn.tar' \
            && oodsynth decode '\(dir.path)/split/id-test' -q | oodsynth embed --model \(tinyCLIP) -q -o '\(dir.path)/id-test.tar'
            """)
        return run?.status == 0 ? dir : nil
    }()

    static func train(_ dir: URL, out: String, extra: String = "") throws -> Shell.Result {
        try Shell.run("""
            oodsynth train --model \(tinyCLIP) --id-train '\(dir.path)/split/id-train' --synthetic '\(dir.path)/syn' \
              --out '\(out)' --epochs 3 --outlier-weights 0,1 -q \(extra)
            """)
    }

    @Test func trainsDeterministicallyAndScoreAgreesWithPyTorch() throws {
        let dir = try #require(Self.fixture, "fixture could not be made")
        let first = try Self.train(dir, out: dir.path + "/a")
        #expect(first.status == 0, "\(first.stderr)")
        // Another core count gives the same bytes.
        let second = try Self.train(dir, out: dir.path + "/b", extra: "").status
        let oneThread = try Shell.run("OPENBLAS_NUM_THREADS=1 oodsynth train --model \(Self.tinyCLIP) --id-train '\(dir.path)/split/id-train' "
                                      + "--synthetic '\(dir.path)/syn' --out '\(dir.path)/c' --epochs 3 --outlier-weights 0,1 -q")
        #expect(second == 0 && oneThread.status == 0, "\(oneThread.stderr)")
        for file in ["config.json", "adapter.safetensors"] {
            let same = try Shell.run("cmp '\(dir.path)/a/\(file)' '\(dir.path)/b/\(file)' && cmp '\(dir.path)/a/\(file)' '\(dir.path)/c/\(file)'")
            #expect(same.status == 0, "\(file) differs between runs: \(same.stdout)")
        }
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("a/config.json"))) as? [String: Any]
        #expect(config?["model_type"] as? String == "oodsynth-adapter")
        #expect((config?["classes"] as? [String])?.count == 8)
        let training = config?["training"] as? [String: Any]
        #expect((training?["candidates"] as? [Any])?.count == 7, "untrained + 2 weights x 3 epochs")
        #expect((config?["kernel"] as? String)?.hasPrefix("blis ") == true)

        // score, and the PyTorch module on the same embeddings: the same ID scores.
        let scored = try Shell.run("""
            oodsynth score --model \(Self.tinyCLIP) --adapter '\(dir.path)/a' -q -i '\(dir.path)/id-test.tar' -o '\(dir.path)/scored.tar' \
            && python3 - '\(dir.path)/scored.tar' '\(dir.path)/a' <<'EOF'
            import io, json, sys, tarfile
            import numpy as np, torch
            sys.path.insert(0, "scripts")
            import oodsynth_adapter
            model = oodsynth_adapter.load(sys.argv[2])
            rows, scores = {}, {}
            with tarfile.open(sys.argv[1]) as tar:
                for m in tar:
                    key, ext = m.name.split(".", 1)
                    if ext == "img.npy":
                        rows[key] = np.load(io.BytesIO(tar.extractfile(m).read()))
                    elif ext == "json" and key != "__stream__":
                        scores[key] = json.load(tar.extractfile(m))["ood"]
            keys = sorted(rows)
            assert keys == sorted(scores) and len(keys) == 120, (len(keys), len(scores))
            with torch.no_grad():
                logits, id_score = model(torch.from_numpy(np.stack([rows[k] for k in keys])))
            worst = max(abs(float(id_score[i]) - scores[k]["id_score"]) for i, k in enumerate(keys))
            classes = [model.classes[int(i)] for i in logits.argmax(1)]
            assert worst < 1e-5, worst
            assert classes == [scores[k]["class"] for k in keys]
            print(worst)
            EOF
            """)
        #expect(scored.status == 0, "\(scored.stderr)")
    }

    @Test func refusesWhatItCannotTrainOn() throws {
        let dir = try #require(Self.fixture, "fixture could not be made")
        // A synthetic set without gap vectors is empty for training.
        let empty = try Shell.run("""
            python3 Tests/interop/drop_fields.py '\(dir.path)/syn.tar' '\(dir.path)/nogap.tar' emb.npy \
            && oodsynth write --out '\(dir.path)/nogap' -q -i '\(dir.path)/nogap.tar' \
            && oodsynth train --model \(Self.tinyCLIP) --id-train '\(dir.path)/split/id-train' --synthetic '\(dir.path)/nogap' --out '\(dir.path)/x' -q
            """)
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("empty (0 samples") && empty.stderr.contains("nogap"), "\(empty.stderr)")
        #expect(empty.stderr.split(separator: "\n").count == 1, "\(empty.stderr)")
        // A set embedded with another model.
        let other = try Shell.run("oodsynth train --model builtin --id-train '\(dir.path)/split/id-train' --synthetic '\(dir.path)/syn' --out '\(dir.path)/y' -q")
        #expect(other.status != 0)
        #expect(other.stderr.contains("embedded with") && other.stderr.contains("/syn"), "\(other.stderr)")
        // One class only.
        let one = try Shell.run("""
            mkdir -p '\(dir.path)/one' && cp -r '\(dir.path)/split/id-train/bird' '\(dir.path)/one/' \
            && oodsynth train --model \(Self.tinyCLIP) --id-train '\(dir.path)/one' --synthetic '\(dir.path)/syn' --out '\(dir.path)/z' -q
            """)
        #expect(one.status != 0)
        #expect(one.stderr.contains("at least 2 classes"), "\(one.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/x") && !FileManager.default.fileExists(atPath: dir.path + "/z"))
    }

    @Test func scoreRefusesAnAdapterOfAnotherModel() throws {
        let dir = try #require(Self.fixture, "fixture could not be made")
        let trained = try Self.train(dir, out: dir.path + "/m")
        #expect(trained.status == 0, "\(trained.stderr)")
        let run = try Shell.run("oodsynth decode Samples/bad/mixed.tar -q | oodsynth embed -q | oodsynth score --adapter '\(dir.path)/m' > /dev/null")
        #expect(run.status != 0)
        #expect(run.stderr.contains("trained on"), "\(run.stderr)")
    }
}
