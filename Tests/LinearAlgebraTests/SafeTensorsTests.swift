import Foundation
import Testing
@testable import LinearAlgebra

/// Files are written by hand here so each test controls every byte of the header; the real-model
/// tests read checkpoints written by the Python `safetensors` package.
@Suite struct SafeTensorsTests {
    static func file(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
        let json = Array(header.utf8)
        let length = declaredLength ?? UInt64(json.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + json + data
    }

    static func write(_ bytes: [UInt8], name: String = "t.safetensors") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    static func open(_ bytes: [UInt8]) throws -> SafeTensors {
        let url = try write(bytes)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        return try SafeTensors(url: url)
    }

    static func littleEndian(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
    }

    static let valid: [UInt8] = {
        let header = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"#
            + #""h":{"dtype":"F16","shape":[4],"data_offsets":[24,32]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[32,36]},"#
            + #""ids":{"dtype":"I64","shape":[1],"data_offsets":[36,44]}}"#
        let half: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7C00]
        let brain: [UInt16] = [0x3F80, 0xC0A0]
        let data = littleEndian([1, 2, 3, 4, 5, 6])
            + (half + brain).flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] } + [UInt8](repeating: 7, count: 8)
        return file(header: header, data: data)
    }()

    @Test func readsAllFloatTypes() throws {
        let tensors = try Self.open(Self.valid)
        #expect(tensors.metadata == ["format": "pt"])
        #expect(tensors.names == ["b", "h", "ids", "w"])
        let w = try tensors.matrix("w", shape: [2, 3])
        #expect(w.rowArrays == [[1, 2, 3], [4, 5, 6]])
        #expect(try tensors.floats("h") == [1, -2, 0x1p-24, .infinity])
        #expect(try tensors.floats("b", shape: [2]) == [1, -5])
        #expect(try tensors.matrix("b", shape: [2]).shape == [1, 2])
    }

    @Test func halfConversionIsExactForEveryValue() {
        var wrong: [UInt16] = []
        for bits in UInt16.min...UInt16.max {
            let ours = SafeTensors.float(half: bits)
            let exponent = (bits >> 10) & 0x1f, mantissa = Double(bits & 0x3ff)
            let sign: Double = bits & 0x8000 == 0 ? 1 : -1
            let expected: Double = switch exponent {
            case 0: sign * mantissa * 0x1p-24
            case 0x1f: mantissa == 0 ? sign * .infinity : .nan
            default: sign * (1 + mantissa / 1024) * pow(2, Double(exponent) - 15)
            }
            if expected.isNaN ? !ours.isNaN : Double(ours) != expected { wrong.append(bits) }
        }
        #expect(wrong.isEmpty)
    }

    @Test func namesTheTensorInLookupErrors() throws {
        let tensors = try Self.open(Self.valid)
        #expect(throws: SafeTensorsError.missingTensor(file: "t.safetensors", tensor: "nope")) { try tensors.floats("nope") }
        #expect(throws: SafeTensorsError.unexpectedShape(file: "t.safetensors", tensor: "w", expected: [3, 2], actual: [2, 3])) {
            try tensors.matrix("w", shape: [3, 2])
        }
        #expect(throws: SafeTensorsError.unsupportedDType(file: "t.safetensors", tensor: "ids", dtype: "I64")) { try tensors.floats("ids") }
        let description = SafeTensorsError.unexpectedShape(file: "model.safetensors", tensor: "w", expected: [3], actual: [2]).description
        #expect(description.contains("model.safetensors") && description.contains("'w'") && !description.contains("\n"))
    }

    static let malformed: [(String, [UInt8])] = [
        ("empty", []),
        ("short length", [1, 0, 0]),
        ("length past end", file(header: "{}", data: [], declaredLength: 100)),
        ("huge length", file(header: "{}", data: [], declaredLength: UInt64.max)),
        ("not json", file(header: "{not json", data: [])),
        ("json array", file(header: "[1,2]", data: [])),
        ("entry not object", file(header: #"{"a":3}"#, data: [])),
        ("unknown dtype", file(header: #"{"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}"#, data: [0])),
        ("size mismatch", file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
        ("past data", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [0, 0, 0, 0])),
        ("reversed", file(header: #"{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0])),
        ("negative", file(header: #"{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}"#, data: [0])),
        ("fractional", file(header: #"{"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}"#, data: [0])),
        ("overflow", file(header: #"{"a":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,1]}}"#, data: [0])),
        ("three offsets", file(header: #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}"#, data: [0])),
        ("missing shape", file(header: #"{"a":{"dtype":"U8","data_offsets":[0,1]}}"#, data: [0])),
        ("bad metadata", file(header: #"{"__metadata__":{"a":1}}"#, data: [])),
        ("overlap", file(header: #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}"#, data: [0, 0, 0])),
    ]

    @Test(arguments: malformed.map(\.0))
    func rejectsMalformedFiles(case name: String) throws {
        let bytes = try #require(Self.malformed.first { $0.0 == name }?.1)
        let error = try #require(throws: SafeTensorsError.self) { try Self.open(bytes) }
        #expect(error.description.hasPrefix("t.safetensors: "))
        #expect(!error.description.contains("\n"))
    }

    @Test func rejectsMissingFileAndFolder() throws {
        #expect(throws: SafeTensorsError.self) { try SafeTensors(url: URL(fileURLWithPath: "/nonexistent/x.safetensors")) }
        #expect(throws: SafeTensorsError.self) { try SafeTensors(url: FileManager.default.temporaryDirectory) }
    }

    /// Every prefix of a valid file, and thousands of random byte mutations of it, must either open
    /// (then every readable tensor reads) or throw: never crash, never read outside the mapping.
    @Test func survivesTruncationAndMutation() throws {
        let valid = Self.valid
        var candidates: [[UInt8]] = (0..<valid.count).map { Array(valid[..<$0]) }
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        let digits = Array("0123456789".utf8)
        for _ in 0..<1500 {
            var bytes = valid
            for _ in 0...next(3) {
                let position = next(bytes.count)
                switch next(4) {
                case 0: bytes[position] = UInt8(next(256))
                case 1: bytes[position] = digits[next(10)]  // lie about a number in the header
                case 2: bytes[next(min(8, bytes.count))] = UInt8(next(256))  // lie about the header length
                default: bytes.removeSubrange(position...)
                }
                if bytes.isEmpty { break }
            }
            candidates.append(bytes)
        }
        var opened = 0
        for bytes in candidates {
            guard let tensors = try? Self.open(bytes) else { continue }
            opened += 1
            for name in tensors.names { _ = try? tensors.floats(name) }
        }
        #expect(opened > 0)
    }
}
