import Foundation
import Workers
import Testing
@testable import LinearAlgebra
import TestVenv

/// The writer is checked three ways: our own reader gets back what went in, the bytes obey the
/// layout rules that make a fitted model's hash its identity, and Python's reference `safetensors`
/// loads the file with the same values.
@Suite struct SafeTensorsWriterTests {
    /// Values that a sloppy conversion would change: signed zero, a subnormal, extremes, infinity.
    static let awkward: [Float] = [1.5, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity, 0.1]

    static func sample() throws -> SafeTensorsWriter {
        var writer = SafeTensorsWriter()
        try writer.add("weight", matrix: Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6]))
        try writer.add("bias", shape: [3], values: [-1, 0.25, 7])
        try writer.add("odd.values", shape: [3, 1, 2], values: awkward)
        try writer.add("empty", shape: [0, 4], values: [])
        try writer.add("scalar", shape: [], values: [42])
        writer.setMetadata("format", "pt")
        writer.setMetadata("model", "ridge/v1 \u{e9}")
        return writer
    }

    static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("model.safetensors")
        try Data(bytes).write(to: url)
        return url
    }

    static func removeFolder(of url: URL) {
        try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
    }

    /// The declared header length and the header text.
    static func header(of bytes: [UInt8]) throws -> (length: Int, json: String) {
        try #require(bytes.count >= 8)
        var length: UInt64 = 0
        for index in 0..<8 { length |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        try #require(8 + Int(length) <= bytes.count)
        return (Int(length), String(decoding: bytes[8..<(8 + Int(length))], as: UTF8.self))
    }

    @Test func readerGetsBackTensorsAndMetadata() throws {
        let url = try Self.temporaryFile(try Self.sample().bytes())
        defer { Self.removeFolder(of: url) }
        let file = try SafeTensors(url: url)
        #expect(file.names == ["bias", "empty", "odd.values", "scalar", "weight"])
        #expect(file.metadata == ["format": "pt", "model": "ridge/v1 \u{e9}"])
        #expect(file.entries.values.allSatisfy { $0.dtype == .f32 })
        #expect(file.entries["weight"]?.shape == [2, 3])
        #expect(file.entries["odd.values"]?.shape == [3, 1, 2])
        #expect(file.entries["empty"]?.shape == [0, 4])
        #expect(file.entries["scalar"]?.shape == [])
        #expect(try file.matrix("weight", shape: [2, 3]).rowArrays == [[1, 2, 3], [4, 5, 6]])
        #expect(try file.floats("bias") == [-1, 0.25, 7])
        #expect(try file.floats("scalar") == [42])
        #expect(try file.floats("empty") == [])
        // Bit patterns, so -0.0 must stay negative zero.
        #expect(try file.floats("odd.values").map(\.bitPattern) == Self.awkward.map(\.bitPattern))
    }

    @Test func tensorsAreLaidOutInNameOrder() throws {
        let bytes = try Self.sample().bytes()
        let url = try Self.temporaryFile(bytes)
        defer { Self.removeFolder(of: url) }
        let file = try SafeTensors(url: url)
        // Contiguous from 0 in sorted-name order, ending exactly at the end of the file.
        var expectedStart = 0
        for name in file.names {
            let entry = try #require(file.entries[name])
            #expect(entry.offsets.lowerBound == expectedStart, "\(name)")
            #expect(entry.offsets.count == entry.elementCount * 4, "\(name)")
            expectedStart = entry.offsets.upperBound
        }
        let (length, _) = try Self.header(of: bytes)
        #expect(8 + length + expectedStart == bytes.count)
    }

    @Test func bytesDoNotDependOnInsertionOrder() throws {
        let tensors: [(String, [Int], [Float])] = [
            ("b", [2], [1, 2]), ("a", [1, 3], [3, 4, 5]), ("c.d", [2, 2], [6, 7, 8, 9]), ("A", [1], [10]),
        ]
        var forward = SafeTensorsWriter()
        for (name, shape, values) in tensors { try forward.add(name, shape: shape, values: values) }
        forward.setMetadata("x", "1")
        forward.setMetadata("y", "2")
        var backward = SafeTensorsWriter()
        backward.setMetadata("y", "2")
        for (name, shape, values) in tensors.reversed() { try backward.add(name, shape: shape, values: values) }
        backward.setMetadata("x", "1")
        let bytes = forward.bytes()
        #expect(bytes == backward.bytes())
        // The same writer twice gives the same bytes too (no hash-order dependence between calls).
        #expect(bytes == forward.bytes())
        // And the bytes really depend on the content: a different value changes them.
        var changed = backward
        try changed.add("a", shape: [1, 3], values: [3, 4, 6])
        #expect(changed.bytes() != bytes)
    }

    // Names of every length from 1 to 16 move the header length through all residues mod 8.
    @Test(arguments: 1...16)
    func dataStartsEightByteAligned(nameLength: Int) throws {
        var writer = SafeTensorsWriter()
        try writer.add(String(repeating: "n", count: nameLength), shape: [2], values: [1, 2])
        if nameLength.isMultiple(of: 2) { writer.setMetadata("k", String(repeating: "v", count: nameLength)) }
        let bytes = writer.bytes()
        let (length, json) = try Self.header(of: bytes)
        #expect((8 + length) % 8 == 0)
        #expect(bytes.count == 8 + length + 8)
        // Padding is trailing spaces after a complete JSON object, as the reference writer pads.
        let trimmed = String(json.reversed().drop { $0 == " " }.reversed())
        #expect(trimmed.hasPrefix("{") && trimmed.hasSuffix("}"))
        #expect(json.count - trimmed.count < 8)
        #expect(try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) is [String: Any])
    }

    @Test func emptyWriterGivesAValidFile() throws {
        let bytes = SafeTensorsWriter().bytes()
        let (length, json) = try Self.header(of: bytes)
        #expect((8 + length) % 8 == 0)
        #expect(json.trimmingCharacters(in: .whitespaces) == "{}")
        let url = try Self.temporaryFile(bytes)
        defer { Self.removeFolder(of: url) }
        let file = try SafeTensors(url: url)
        #expect(file.names.isEmpty && file.metadata.isEmpty)
    }

    @Test func countMismatchThrows() throws {
        var writer = SafeTensorsWriter()
        #expect(throws: LinearAlgebraError.self) { try writer.add("w", shape: [2, 3], values: [1, 2, 3, 4, 5]) }
        #expect(throws: LinearAlgebraError.self) { try writer.add("w", shape: [2], values: [1, 2, 3]) }
        #expect(throws: LinearAlgebraError.self) { try writer.add("w", shape: [], values: []) }
        // A negative shape whose product happens to match the count is still refused.
        #expect(throws: LinearAlgebraError.self) { try writer.add("w", shape: [-1, -2], values: [1, 2]) }
        // Nothing was added by the failed calls.
        #expect(writer.bytes() == SafeTensorsWriter().bytes())
    }

    @Test func pythonReferenceLoadsTheFile() throws {
        let url = try Self.temporaryFile(try Self.sample().bytes())
        defer { Self.removeFolder(of: url) }
        // Print each tensor's dtype, shape and float32 bit patterns, and the metadata, as JSON.
        let script = """
            import json, sys
            from safetensors import safe_open
            from safetensors.numpy import load_file
            tensors = load_file(sys.argv[1])
            with safe_open(sys.argv[1], framework="numpy") as f:
                metadata = f.metadata()
            out = {name: {"dtype": str(t.dtype), "shape": list(t.shape), "bits": t.view("<u4").ravel().tolist()}
                   for name, t in tensors.items()}
            print(json.dumps({"tensors": out, "metadata": metadata}))
            """
        let run = try Self.runPython(script, [url.path])
        try #require(run.status == 0, "python3 with numpy and safetensors is needed (scripts/setup test installs them): \(run.stderr)")

        struct Loaded: Decodable {
            struct Tensor: Decodable { var dtype: String; var shape: [Int]; var bits: [UInt32] }
            var tensors: [String: Tensor]
            var metadata: [String: String]
        }
        let loaded = try JSONDecoder().decode(Loaded.self, from: run.stdout)
        #expect(loaded.metadata == ["format": "pt", "model": "ridge/v1 \u{e9}"])
        #expect(Set(loaded.tensors.keys) == ["bias", "empty", "odd.values", "scalar", "weight"])
        #expect(loaded.tensors.values.allSatisfy { $0.dtype == "float32" })
        let expected: [String: ([Int], [Float])] = [
            "weight": ([2, 3], [1, 2, 3, 4, 5, 6]), "bias": ([3], [-1, 0.25, 7]), "odd.values": ([3, 1, 2], Self.awkward),
            "empty": ([0, 4], []), "scalar": ([], [42]),
        ]
        for (name, (shape, values)) in expected {
            let tensor = try #require(loaded.tensors[name], "\(name)")
            #expect(tensor.shape == shape, "\(name)")
            #expect(tensor.bits == values.map(\.bitPattern), "\(name)")
        }
    }

    private struct Run {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// Runs `python3 -c script args...`.
    private static func runPython(_ script: String, _ arguments: [String]) throws -> Run {
        let run = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script] + arguments, environment: Venv.environment)
        return Run(status: run.status, stdout: run.stdout, stderr: String(decoding: run.stderr, as: UTF8.self))
    }
}
