import Foundation

/// A memory-mapped `.safetensors` file: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw data. The whole header is validated when
/// the file is opened, so reading a tensor afterwards can only fail for a missing name or wrong shape.
public final class SafeTensors: @unchecked Sendable {
    /// Element types of the format. F32, F16 and BF16 are readable as Float32; the others (such as
    /// the I64 position-id buffers some checkpoints carry) are validated but not readable.
    public enum DType: String, Sendable, CaseIterable {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

        public var size: Int {
            switch self {
            case .f64, .i64: 8
            case .f32, .i32: 4
            case .f16, .bf16, .i16: 2
            case .i8, .u8, .bool: 1
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        public let dtype: DType
        public let shape: [Int]
        /// Byte range relative to the start of the data area.
        public let offsets: Range<Int>
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// The reference implementation refuses larger headers; so do we, before parsing untrusted JSON.
    public static let maximumHeaderLength = 100_000_000

    /// File name used in errors.
    public let name: String
    public let entries: [String: Entry]
    /// The free-form `__metadata__` map, empty when absent.
    public let metadata: [String: String]
    private let mapping: UnsafeMutableRawPointer
    private let mappingLength: Int
    private let dataStart: Int

    public init(url: URL) throws(SafeTensorsError) {
        let name = url.lastPathComponent
        self.name = name
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw .cannotOpen(file: name, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .cannotOpen(file: name, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .cannotOpen(file: name, reason: "not a regular file") }
        let length = Int(status.st_size)
        guard length >= 8 else { throw .truncated(file: name, reason: "\(length) bytes, shorter than the 8-byte header length") }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw .cannotOpen(file: name, reason: "mmap: " + String(cString: strerror(errno)))
        }
        do {
            let parsed = try Self.parseHeader(UnsafeRawBufferPointer(start: mapped, count: length), file: name)
            (entries, metadata, dataStart) = (parsed.entries, parsed.metadata, parsed.dataStart)
        } catch {
            munmap(mapped, length)
            throw error
        }
        mapping = mapped
        mappingLength = length
    }

    deinit {
        munmap(mapping, mappingLength)
    }

    public var names: [String] { entries.keys.sorted() }

    /// The tensor's elements as Float32 in row-major order, converting F16 and BF16 exactly.
    public func floats(_ tensor: String) throws(SafeTensorsError) -> [Float] {
        let entry = try entry(tensor)
        return [Float](unsafeUninitializedCapacity: entry.elementCount) { buffer, initialized in
            if let base = buffer.baseAddress { copyFloats(entry, into: base) }
            initialized = entry.elementCount
        }
    }

    /// The tensor as a matrix after checking its shape is exactly `shape`: [rows, columns] or [n]
    /// (a 1 x n matrix); a higher-rank `shape` is flattened to [shape[0], rest].
    public func matrix(_ tensor: String, shape: [Int]) throws(SafeTensorsError) -> Matrix {
        let entry = try entry(tensor, shape: shape)
        let rows = shape.count == 1 ? 1 : shape.first ?? 1
        let matrix = Matrix(rows: rows, columns: rows == 0 ? 0 : entry.elementCount / max(rows, 1))
        copyFloats(entry, into: matrix.base)
        return matrix
    }

    /// The tensor's values after checking its shape is exactly `shape`.
    public func floats(_ tensor: String, shape: [Int]) throws(SafeTensorsError) -> [Float] {
        _ = try entry(tensor, shape: shape)
        return try floats(tensor)
    }

    /// The header entry of a tensor that is readable as Float32; throws for a missing name or a dtype
    /// other than F32, F16 and BF16 (the raw entries of every dtype are in `entries`).
    public func entry(_ tensor: String) throws(SafeTensorsError) -> Entry {
        guard let entry = entries[tensor] else { throw .missingTensor(file: name, tensor: tensor) }
        switch entry.dtype {
        case .f32, .f16, .bf16: return entry
        default: throw .unsupportedDType(file: name, tensor: tensor, dtype: entry.dtype.rawValue)
        }
    }

    private func entry(_ tensor: String, shape: [Int]) throws(SafeTensorsError) -> Entry {
        let entry = try entry(tensor)
        guard entry.shape == shape else {
            throw .unexpectedShape(file: name, tensor: tensor, expected: shape, actual: entry.shape)
        }
        return entry
    }

    private func copyFloats(_ entry: Entry, into destination: UnsafeMutablePointer<Float>) {
        let source = UnsafeRawPointer(mapping) + dataStart + entry.offsets.lowerBound
        let count = entry.elementCount
        switch entry.dtype {
        case .f32:
            // The file is little-endian like every platform this runs on; offsets need not be aligned.
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .f16:
            for index in 0..<count {
                destination[index] = Self.float(half: source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
            }
        case .bf16:
            for index in 0..<count {
                let bits = source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)
                destination[index] = Float(bitPattern: UInt32(bits) << 16)
            }
        default:
            break
        }
    }

    /// IEEE binary16 to binary32, exact for every value including subnormals, infinities and NaN.
    static func float(half bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:
            return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
