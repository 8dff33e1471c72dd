import Foundation
import Imaging
import OODCore
import WebDataset

// Timing harness for scripts/bench: runs one hot path on the benchmark data, on one thread, and prints
// its rate as a bare number so the script can divide it by the Python peer's.
//
//   oodsynth-bench decode LIST [--size 224] [--repeats 3]   images/s (read file + decode + downscale)
//   oodsynth-bench write [--count 2000] [--repeats 3]       samples/s (tar stream to a file)

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

do {
    switch CommandLine.arguments.dropFirst().first {
    case "decode": try benchDecode()
    case "write": try benchWrite()
    default: fail("usage: oodsynth-bench decode LIST | write")
    }
} catch {
    fail(String(describing: error))
}
