import Foundation

extension SafeTensors {
    struct ParsedHeader {
        var entries: [String: Entry]
        var metadata: [String: String]
        var dataStart: Int
    }

    /// Validates everything the format promises before any tensor is touched: the header length lies
    /// inside the file, the header is a JSON object, every entry has a known dtype, a non-negative
    /// shape whose byte size equals its range, a range inside the data area, and no two ranges overlap.
    static func parseHeader(_ file: UnsafeRawBufferPointer, file name: String) throws(SafeTensorsError) -> ParsedHeader {
        var declared: UInt64 = 0
        for index in 0..<8 { declared |= UInt64(file[index]) << (8 * UInt64(index)) }
        guard declared <= UInt64(maximumHeaderLength) else {
            throw .invalidHeader(file: name, reason: "header length \(declared) exceeds \(maximumHeaderLength) bytes")
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= file.count else {
            throw .truncated(file: name, reason: "header of \(headerLength) bytes does not fit in \(file.count - 8) bytes after the length")
        }
        let json = Data(file[8..<(8 + headerLength)])
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: json)
        } catch {
            throw .invalidHeader(file: name, reason: Self.summary(of: error))
        }
        let dataLength = file.count - 8 - headerLength
        var entries: [String: Entry] = [:]
        for (tensor, rawEntry) in raw.tensors {
            entries[tensor] = try validate(rawEntry, tensor: tensor, dataLength: dataLength, file: name)
        }
        let ordered = entries.sorted { ($0.value.offsets.lowerBound, $0.value.offsets.upperBound, $0.key) < ($1.value.offsets.lowerBound, $1.value.offsets.upperBound, $1.key) }
        for (previous, next) in zip(ordered, ordered.dropFirst())
        where next.value.offsets.lowerBound < previous.value.offsets.upperBound {
            throw .overlapping(file: name, tensor: next.key, other: previous.key)
        }
        return ParsedHeader(entries: entries, metadata: raw.metadata, dataStart: 8 + headerLength)
    }

    private static func validate(_ raw: RawEntry, tensor: String, dataLength: Int, file: String) throws(SafeTensorsError) -> Entry {
        guard let dtype = DType(rawValue: raw.dtype) else {
            throw .invalidTensor(file: file, tensor: tensor, reason: "unknown dtype '\(raw.dtype)'")
        }
        guard raw.shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidTensor(file: file, tensor: tensor, reason: "negative dimension in shape \(raw.shape)")
        }
        var bytes = dtype.size
        for dimension in raw.shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidTensor(file: file, tensor: tensor, reason: "shape \(raw.shape) overflows") }
            bytes = product
        }
        guard raw.offsets.count == 2 else {
            throw .invalidTensor(file: file, tensor: tensor, reason: "data_offsets must be [begin, end], got \(raw.offsets)")
        }
        let (begin, end) = (raw.offsets[0], raw.offsets[1])
        guard begin >= 0, begin <= end, end <= dataLength else {
            throw .invalidTensor(file: file, tensor: tensor, reason: "data_offsets [\(begin), \(end)] outside the \(dataLength)-byte data area")
        }
        guard end - begin == bytes else {
            throw .invalidTensor(file: file, tensor: tensor, reason: "shape \(raw.shape) of \(dtype.rawValue) needs \(bytes) bytes, data_offsets give \(end - begin)")
        }
        return Entry(dtype: dtype, shape: raw.shape, offsets: begin..<end)
    }

    /// Decoding errors carry nested context; one line is enough to say what was wrong where.
    private static func summary(of error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")): missing"
        default: "\(error)"
        }
    }

    private struct RawEntry: Decodable {
        var dtype: String
        var shape: [Int]
        var offsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case offsets = "data_offsets"
        }
    }

    /// The header object: tensor names to entries, plus the optional string map `__metadata__`.
    private struct RawHeader: Decodable {
        var tensors: [String: RawEntry] = [:]
        var metadata: [String: String] = [:]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try container.decode([String: String].self, forKey: key)
                } else {
                    tensors[key.stringValue] = try container.decode(RawEntry.self, forKey: key)
                }
            }
        }
    }
}
