import COpenBLAS
import Encoders
import Captions
import Foundation
import Gaps
import Generation
import Imaging
import LinearAlgebra
import OODCore
import WebDataset

// Timing harness for scripts/bench: runs one hot path on the benchmark data, on one thread, and prints
// its rate as a bare number so the script can divide it by the Python peer's.
//
//   oodsynth-bench decode LIST [--size 224] [--repeats 3]   images/s (read file + decode + downscale)
//   oodsynth-bench write [--count 2000] [--repeats 3]       samples/s (tar stream to a file)
//   oodsynth-bench embed image CLIP_FOLDER                   images/s, batch 32 (then GFLOP/s of sgemm peak)
//   oodsynth-bench embed text CLIP_FOLDER                    captions/s, 256 short captions, batch 32
//   oodsynth-bench embed minilm MINILM_FOLDER                sentences/s, 1000 short captions, batch 32
//                   (embed ... --dump OUT writes the embeddings as raw little-endian float32: image, the
//                   batch of 32 from fixed pixels; text and minilm, every caption in order; so a faster
//                   kernel can be checked bit for bit against the old binary with cmp)
//   oodsynth-bench sgemm [blis]                              GFLOP/s of a 2048^3 sgemm on OpenBLAS's threads (or ours on BLIS)
//   oodsynth-bench knn VECTORS.npy [--k 50] [--dump OUT]     queries/s of exact self-kNN of every vector
//                                                            (GFLOP/s on stderr; --dump writes the indices)
//   oodsynth-bench wordnet [DIR]                             seconds to load the WordNet database
//   oodsynth-bench generate LIST [--count 4] [--size 96] [--steps 20]
//                                                            images/s of the builtin sampler, 1 thread, 8
//                                                            references per image (consecutive in LIST)

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let number = Int(arguments[index + 1]) else {
        return value
    }
    return number
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("oodsynth-bench: \(message)\n".utf8))
    exit(2)
}

/// Best of `repeats` runs: the least disturbed one.
func bestRate(items: Int, repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<max(1, repeats) {
        let start = ProcessInfo.processInfo.systemUptime
        try body()
        best = min(best, ProcessInfo.processInfo.systemUptime - start)
    }
    return Double(items) / best
}

func benchDecode() throws {
    guard CommandLine.arguments.count > 2 else { fail("usage: oodsynth-bench decode LIST [--size N]") }
    let list = try String(contentsOfFile: CommandLine.arguments[2], encoding: .utf8)
    let paths = list.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    let options = DecodeOptions(maxSide: option("--size", default: 224))
    var failures = 0
    let rate = try bestRate(items: paths.count, repeats: option("--repeats", default: 3)) {
        failures = 0
        for path in paths {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            do {
                _ = try ImageDecoder.decode(bytes, options: options)
            } catch {
                failures += 1
            }
        }
    }
    if failures > 0 { fail("\(failures) images failed to decode") }
    print(String(format: "%.2f", rate))
}

func benchWrite() throws {
    let count = option("--count", default: 2000)
    // Mirrors scripts/peers/write_webdataset.py byte for byte.
    let samples = (0..<count).map { i in
        Sample(key: SampleKey.make(index: i), fields: [
            "png": (0..<4096).map { j in UInt8((i * 31 + j * 7) % 251) },
            "txt": Array("a photo of thing number \(i)".utf8),
            "cls": Array(String(i % 12).utf8),
            "json": Array("{\"index\":\(i),\"source\":\"bench\"}".utf8),
        ])
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("oodsynth-bench-\(getpid()).tar").path
    defer { unlink(path) }
    let rate = try bestRate(items: count, repeats: option("--repeats", default: 3)) {
        let writer = try SampleWriter(path: path)
        for sample in samples { try writer.write(sample) }
        try writer.finish()
    }
    print(String(format: "%.1f", rate))
}

/// Mirrors `captions()` in scripts/peers/embed_torch.py: about 10 CLIP tokens each.
func shortCaptions(_ count: Int) -> [String] {
    let subjects = ["a cat", "two dogs", "an old man", "a red car", "a small boat", "a young woman", "a horse",
                    "a wooden chair", "three birds", "a bowl of soup", "a city bus", "a green apple"]
    let places = ["on a sofa", "in the park", "at the beach", "near a window", "on a busy street",
                  "in the snow", "under a tree", "on a table", "in a kitchen", "by the river"]
    return (0..<count).map { "a photo of \(subjects[$0 % subjects.count]) \(places[($0 / 3) % places.count])" }
}

/// Captions per second through `encoder` in batches of 32, tokenization included (as the peers do).
func textRate(_ encoder: TextEncoder, captions: [String], repeats: Int) throws -> Double {
    _ = try encoder.embed(texts: Array(captions.prefix(32)))  // warm-up, as the peers do
    var embeddings: [Float] = []
    let rate = try bestRate(items: captions.count, repeats: repeats) {
        embeddings.removeAll(keepingCapacity: true)
        for start in stride(from: 0, to: captions.count, by: 32) {
            for row in try encoder.embed(texts: Array(captions[start..<min(start + 32, captions.count)])) {
                embeddings += row
            }
        }
    }
    try dumpIfAsked(embeddings)
    return rate
}

/// `--dump OUT`: the floats as raw little-endian float32, for a bit-for-bit cmp between builds.
func dumpIfAsked(_ values: [Float]) throws {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: "--dump"), index + 1 < arguments.count else { return }
    try values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: arguments[index + 1]))
}

func benchEmbed() throws {
    let arguments = CommandLine.arguments
    guard arguments.count > 3 else { fail("usage: oodsynth-bench embed image|text|minilm FOLDER") }
    let folder = URL(fileURLWithPath: arguments[3])
    let repeats = option("--repeats", default: 3)
    switch arguments[2] {
    case "image":
        let model = try CLIPModel(folder: folder)
        let side = model.config.visionConfig.imageSize
        // Fixed pseudo-random pixels in [-2, 2) (a 64-bit LCG), so that --dump compares like with like.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let pixels = (0..<(32 * 3 * side * side)).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 4 - 2
        }
        _ = try model.vision.embed(pixels: pixels, batch: 32)  // warm-up, as the peer does
        var embeddings: Matrix?
        let rate = try bestRate(items: 32, repeats: repeats) { embeddings = try model.vision.embed(pixels: pixels, batch: 32) }
        if let embeddings { try dumpIfAsked(Array(UnsafeBufferPointer(start: embeddings.base, count: embeddings.count))) }
        print(String(format: "%.2f", rate))
    case "text":
        print(String(format: "%.2f", try textRate(CLIPEncoder(folder: folder), captions: shortCaptions(256), repeats: repeats)))
    case "minilm":
        print(String(format: "%.2f", try textRate(SentenceEncoder(folder: folder), captions: shortCaptions(1000), repeats: repeats)))
    default:
        fail("usage: oodsynth-bench embed image|text|minilm FOLDER")
    }
}

/// GFLOP/s of a 2048^3 product: OpenBLAS on its own threads (the machine's peak), or with `blis`
/// the products oodsynth runs (BLIS, one stripe per core; GEMMKernel).
func benchSGEMM() {
    let n = 2048
    let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    let blis = CommandLine.arguments.dropFirst(2).first == "blis"
    let run = {
        if blis {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        Matrix.gemm(transposeA: false, transposeB: true, m: n, n: n, k: n, a: a.baseAddress!, lda: n,
                                    b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n)
                    }
                }
            }
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
        }
    }
    run()
    let rate = bestRate(items: 1, repeats: option("--repeats", default: 3)) { run() }
    print(String(format: "%.1f", rate * 2 * Double(n * n * n) / 1e9))
}

func benchKNN() throws {
    guard CommandLine.arguments.count > 2 else { fail("usage: oodsynth-bench knn VECTORS.npy [--k 50] [--dump OUT.npy] [--dump-similarities OUT.npy]") }
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[2])))
    let (shape, values) = try NPY.decode(bytes)
    guard shape.count == 2 else { fail("expected a 2-D array, got shape \(shape)") }
    let vectors = try Matrix(rows: shape[0], columns: shape[1], values: values)
    let k = option("--k", default: 50)
    let index = KNNIndex(vectors: vectors)
    var found: Neighbours?
    let rate = try bestRate(items: vectors.rows, repeats: 1) { found = try index.search(vectors, k: k, excludingSelf: true) }
    print(String(format: "%.1f", rate))
    let gflops = rate * 2 * Double(vectors.rows) * Double(vectors.columns) / 1e9
    FileHandle.standardError.write(Data(String(format: "oodsynth: %d queries, %.1f GFLOP/s\n", vectors.rows, gflops).utf8))
    if let dumpIndex = CommandLine.arguments.firstIndex(of: "--dump"), dumpIndex + 1 < CommandLine.arguments.count, let found {
        // int32 .npy of the indices: the NPY codec writes float32, so write this small header here.
        let header = "{'descr': '<i4', 'fortran_order': False, 'shape': (\(found.queries), \(found.k)), }"
        var padded = header
        while (10 + padded.utf8.count + 1) % 64 != 0 { padded += " " }
        padded += "\n"
        var file: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(padded.utf8.count)
        file += [UInt8(length & 0xff), UInt8(length >> 8)] + Array(padded.utf8)
        found.indices.withUnsafeBytes { file += $0 }
        try Data(file).write(to: URL(fileURLWithPath: CommandLine.arguments[dumpIndex + 1]))
    }
    // The similarities too, so that a faster search can be checked bit for bit against the old one.
    if let dumpIndex = CommandLine.arguments.firstIndex(of: "--dump-similarities"), dumpIndex + 1 < CommandLine.arguments.count, let found {
        try Data(NPY.encode(found.similarities, shape: [found.queries, found.k]))
            .write(to: URL(fileURLWithPath: CommandLine.arguments[dumpIndex + 1]))
    }
}

func benchGenerate() throws {
    guard CommandLine.arguments.count > 2 else { fail("usage: oodsynth-bench generate LIST [--count N]") }
    let count = option("--count", default: 4), side = option("--size", default: 96)
    let list = try String(contentsOfFile: CommandLine.arguments[2], encoding: .utf8)
    let paths = Array(list.split(separator: "\n").map(String.init).filter { !$0.isEmpty }.prefix(8 * count))
    // One-hot embeddings, and for image i a target that is the sum of references 8i..8i+7: the
    // sampler's nearest-reference choice then picks exactly the references the numpy peer uses.
    let images = try paths.enumerated().map { index, path in
        let decoded = try ImageDecoder.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: path))), options: DecodeOptions(maxSide: side * 4))
        var embedding = [Float](repeating: 0, count: paths.count)
        embedding[index] = 1
        return ReferenceImage(key: path, classIndex: index, pixels: ReferenceImage.square(decoded.image, side: side).pixels, embedding: embedding)
    }
    var options = AnalyticDiffusion.Options()
    options.side = side
    options.steps = option("--steps", default: 20)
    options.attempts = 1
    options.minReferenceDistance = 0
    let sampler = AnalyticDiffusion(references: ReferenceSet(side: side, dimension: paths.count, images: images), options: options)
    let rate = try bestRate(items: count, repeats: 1) {
        for i in 0..<count {
            var target = [Float](repeating: 0, count: paths.count)
            for j in 0..<8 { target[(8 * i + j) % paths.count] = 1 / Float(8).squareRoot() }
            _ = try sampler.generate(target: target, seed: UInt32(i))
        }
    }
    print(String(format: "%.3f", rate))
}

func benchWordNet() throws {
    let folder = CommandLine.arguments.count > 2 ? URL(fileURLWithPath: CommandLine.arguments[2]) : WordNet.defaultFolder()
    var best = Double.infinity
    var count = 0
    for _ in 0..<3 {
        let start = ProcessInfo.processInfo.systemUptime
        count = try WordNet(folder: folder).synsets.count
        best = min(best, ProcessInfo.processInfo.systemUptime - start)
    }
    print(String(format: "%.3f", best))
    FileHandle.standardError.write(Data("oodsynth: \(count) synsets\n".utf8))
}

// As in the oodsynth CLI: OpenBLAS's kernels picked from the CPU's flags.
OpenBLASKernel.restartIfNeeded()

do {
    switch CommandLine.arguments.dropFirst().first {
    case "decode": try benchDecode()
    case "write": try benchWrite()
    case "embed": try benchEmbed()
    case "sgemm": benchSGEMM()
    case "kernel": print(GEMMKernel.name)
    case "train": try benchTrain()
    case "knn": try benchKNN()
    case "wordnet": try benchWordNet()
    case "generate": try benchGenerate()
    default: fail("usage: oodsynth-bench decode LIST | write | embed image|text|minilm FOLDER | sgemm [blis] | kernel | train | knn VECTORS.npy | wordnet | generate LIST")
    }
} catch {
    fail(String(describing: error))
}
