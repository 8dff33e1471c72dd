import Foundation

/// Builds a `.safetensors` file of F32 tensors that the Hugging Face reader (and `SafeTensors`) loads.
/// Tensors are laid out in name order and the header is JSON with sorted keys, so the same tensors
/// always give the same bytes: a fitted model's sha256 is its identity.
public struct SafeTensorsWriter {
    private var tensors: [String: (shape: [Int], values: [Float])] = [:]
    private var metadata: [String: String] = [:]

    public init() {}

    /// Adds a tensor; `values` is row-major and must hold `shape`'s element count.
    public mutating func add(_ name: String, shape: [Int], values: [Float]) throws(LinearAlgebraError) {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw .shapeMismatch("safetensors tensor \(name) of shape \(shape) given \(values.count) values")
        }
        // The header keeps that key for the metadata map.
        guard !name.isEmpty, name != "__metadata__" else {
            throw .shapeMismatch("safetensors tensor name '\(name)' is reserved or empty")
        }
        tensors[name] = (shape, values)
    }

    public mutating func add(_ name: String, matrix: Matrix) throws(LinearAlgebraError) {
        try add(name, shape: matrix.shape, values: matrix.values)
    }

    /// Free-form strings stored under `__metadata__`.
    public mutating func setMetadata(_ key: String, _ value: String) {
        metadata[key] = value
    }

    private struct HeaderEntry: Encodable {
        var dtype = "F32"
        var shape: [Int]
        var offsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, offsets = "data_offsets" }
    }

    private enum HeaderValue: Encodable {
        case tensor(HeaderEntry)
        case metadata([String: String])
        func encode(to encoder: Encoder) throws {
            switch self {
            case .tensor(let entry): try entry.encode(to: encoder)
            case .metadata(let map): try map.encode(to: encoder)
            }
        }
    }

    /// The whole file.
    public func bytes() -> [UInt8] {
        var header: [String: HeaderValue] = [:]
        var offset = 0
        let ordered = tensors.sorted { $0.key < $1.key }
        for (name, tensor) in ordered {
            let byteCount = tensor.values.count * 4
            header[name] = .tensor(HeaderEntry(shape: tensor.shape, offsets: [offset, offset + byteCount]))
            offset += byteCount
        }
        if !metadata.isEmpty { header["__metadata__"] = .metadata(metadata) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding [String: enum of plain values] cannot fail.
        var json = (try? Array(encoder.encode(header))) ?? Array("{}".utf8)
        // The data area starts 8-byte aligned, as the reference writer pads it.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var file: [UInt8] = []
        file.reserveCapacity(8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(contentsOf: json)
        for (_, tensor) in ordered {
            tensor.values.withUnsafeBytes { raw in
                // Little-endian on every platform Swift runs this on; the format requires it.
                file.append(contentsOf: raw)
            }
        }
        return file
    }
}
