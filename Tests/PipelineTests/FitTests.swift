import Foundation
import Testing
@testable import Pipeline

/// `oodsynth fit` and `--model builtin` at the command line, on the bundled Samples.
@Suite struct FitTests {
    static let samples = DecodeWriteTests.samples

    /// The percentages `fit` reports for the held-out images.
    static func scores(_ stderr: String) -> (accuracy: Double, recall: Double)? {
        func number(after label: String) -> Double? {
            guard let range = stderr.range(of: label) else { return nil }
            let digits = stderr[range.upperBound...].prefix { $0.isNumber || $0 == "." }
            return Double(digits)
        }
        guard let accuracy = number(after: "zero-shot accuracy "), let recall = number(after: "recall@5 ") else { return nil }
        return (accuracy, recall)
    }

    @Test func heldOutImagesAreClassifiedWellAboveChance() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("oodsynth decode \(Self.samples) -q | oodsynth fit --out '\(dir.path)/model' --hold-out 0.2")
        #expect(run.status == 0, "\(run.stderr)")
        let scores = try #require(Self.scores(run.stderr), "no scores in: \(run.stderr)")
        // 12 classes: chance is 8.3%; 72 held-out captions: recall@5 chance is 6.9%. The fit reaches
        // about 4.5x chance on both; 3x leaves room for rounding changes without hiding a regression.
        #expect(scores.accuracy >= 25, "zero-shot accuracy \(scores.accuracy)%")
        #expect(scores.recall >= 20.8, "recall@5 \(scores.recall)%")
        #expect(run.stderr.contains("72 held-out images"), "\(run.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("model/config.json"))) as? [String: Any]
        let fit = try #require(config?["fit"] as? [String: Any])
        #expect(fit["samples"] as? Int == 288)
        #expect(fit["held_out"] as? Int == 72)
        let recorded = try #require((fit["evaluation"] as? [String: Any])?["accuracy"] as? Double)
        #expect(abs(recorded * 100 - scores.accuracy) < 0.05, "config says \(recorded), stderr \(scores.accuracy)%")
    }

    @Test func fittedModelsAreByteIdenticalForAnyWorkerCount() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            oodsynth decode Samples/bad/mixed.tar \(Self.samples) -q -o '\(dir.path)/id.tar' \
            && oodsynth fit '\(dir.path)/id.tar' --out '\(dir.path)/a' --centroids 64 --patch-samples 20000 -q \
            && oodsynth fit --out '\(dir.path)/b' --centroids 64 --patch-samples 20000 --workers 1 -q < '\(dir.path)/id.tar' \
            && cmp '\(dir.path)/a/model.safetensors' '\(dir.path)/b/model.safetensors'
            """)
        #expect(run.status == 0, "\(run.stderr)")
        // The file input records its sha256; stdin cannot: the configs differ only there.
        let a = try String(contentsOf: dir.appendingPathComponent("a/config.json"), encoding: .utf8)
        #expect(a.contains("input_sha256"))
    }

    @Test func fittedFolderEmbedsLikeTheNumpyReference() throws {
        try #require(EmbedTests.minilm != nil, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            oodsynth decode \(Self.samples) -q -o '\(dir.path)/id.tar' \
            && oodsynth fit '\(dir.path)/id.tar' --out '\(dir.path)/clipart' -q \
            && oodsynth embed --model '\(dir.path)/clipart' -i '\(dir.path)/id.tar' -o '\(dir.path)/e.tar'
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("360 images and 360 captions"), "\(run.stderr)")
        let check = try Shell.run("python3 Tests/interop/check_builtin.py '\(dir.path)/clipart' '\(dir.path)/e.tar' 60")
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        let header = try Shell.run("tar -xOf '\(dir.path)/e.tar' __stream__.json")
        #expect(String(decoding: header.stdout, as: UTF8.self).contains("\"name\":\"clipart\""))
    }

    @Test func builtinIsFittedOnceAndCachedEvenWhenStartedTwice() throws {
        let minilm = try #require(EmbedTests.minilm, "all-MiniLM-L6-v2 is not installed (scripts/setup installs it)")
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let run = try Shell.run("""
            mkdir -p '\(store)' && ln -s '\(minilm)' '\(store)/all-MiniLM-L6-v2' && export OODSYNTH_MODELS='\(store)'
            oodsynth decode Samples/bad/mixed.tar -q -o '\(dir.path)/id.tar'
            oodsynth embed -i '\(dir.path)/id.tar' -o '\(dir.path)/1.tar' 2> '\(dir.path)/1.err' & first=$!
            oodsynth embed -i '\(dir.path)/id.tar' -o '\(dir.path)/2.tar' 2> '\(dir.path)/2.err' & second=$!
            wait $first && wait $second && cmp '\(dir.path)/1.tar' '\(dir.path)/2.tar' \
            && test "$(cat '\(dir.path)'/1.err '\(dir.path)'/2.err | grep -c 'fitting the default')" = 1 \
            && oodsynth embed -i '\(dir.path)/id.tar' -o '\(dir.path)/3.tar' && cmp '\(dir.path)/1.tar' '\(dir.path)/3.tar'
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("fitting the default"), "the cache was not used: \(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: store + "/oodsynth-builtin/model.safetensors"))
        let header = try Shell.run("tar -xOf '\(dir.path)/1.tar' __stream__.json")
        #expect(String(decoding: header.stdout, as: UTF8.self).contains("\"name\":\"builtin\""))
    }

    @Test func oneClassIsAOneLineError() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            mkdir -p '\(dir.path)/images' && tar -xf \(Self.samples) -C '\(dir.path)/images' bird \
            && oodsynth decode '\(dir.path)/images' -q | oodsynth fit --out '\(dir.path)/model'
            """)
        #expect(run.status != 0)
        #expect(run.stderr.contains("at least two classes, found 1 (bird)"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("model").path))
    }

    @Test func streamWithoutCaptionsOrLabelsIsAOneLineError() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            oodsynth decode Samples/bad/mixed.tar -q -o '\(dir.path)/id.tar' \
            && python3 Tests/interop/drop_fields.py '\(dir.path)/id.tar' '\(dir.path)/bare.tar' txt cls \
            && oodsynth fit '\(dir.path)/bare.tar' --out '\(dir.path)/model' -q
            """)
        #expect(run.status != 0)
        #expect(run.stderr.contains("bare.tar: no captions"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }

    @Test func truncatedStreamIsRefusedNotFittedOnPart() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            oodsynth decode \(Self.samples) -q -o '\(dir.path)/id.tar' \
            && head -c 2000000 '\(dir.path)/id.tar' > '\(dir.path)/cut.tar' \
            && oodsynth fit '\(dir.path)/cut.tar' --out '\(dir.path)/model' -q
            """)
        #expect(run.status != 0)
        #expect(run.stderr.contains("cut.tar"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("model").path))
    }

    @Test func replacesOnlyEarlierModelFolders() throws {
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            mkdir -p '\(dir.path)/notes' && echo keep > '\(dir.path)/notes/todo.txt' \
            && oodsynth decode Samples/bad/mixed.tar -q -o '\(dir.path)/id.tar'
            oodsynth fit '\(dir.path)/id.tar' --out '\(dir.path)/notes' -q; echo "plain=$?"
            oodsynth fit '\(dir.path)/id.tar' --out '\(dir.path)/notes' --overwrite -q; echo "overwrite=$?"
            cat '\(dir.path)/notes/todo.txt'
            """)
        let out = String(decoding: run.stdout, as: UTF8.self)
        #expect(out.contains("plain=1") && out.contains("overwrite=1") && out.contains("keep"), "\(out) \(run.stderr)")
        #expect(run.stderr.contains("not empty"), "\(run.stderr)")
        #expect(run.stderr.contains("not a model folder"), "\(run.stderr)")
    }

    @Test func holdOutSpreadsEvenlyThroughEachClass() {
        let labels: [Int?] = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 5) + [nil, nil]
        let mask = FitStage.holdOutMask(labels: labels, fraction: 0.2)
        #expect(mask.enumerated().filter(\.element).map(\.offset) == [4, 9, 14])
        #expect(FitStage.holdOutMask(labels: labels, fraction: 0).allSatisfy { !$0 })
        #expect(FitStage.holdOutMask(labels: labels, fraction: 0.5).filter { $0 }.count == 7)
    }
}
