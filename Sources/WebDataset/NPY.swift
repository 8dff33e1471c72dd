/// The `.npy` format for float32 little-endian, C-order arrays (embeddings), byte-identical to
/// `numpy.save` for the same array: version 1.0 header, padded with spaces to a multiple of 64 bytes.
public enum NPY {
    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    public static func encode(_ values: [Float], shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        // numpy (>= 1.23) leaves room for the first axis to grow to 21 digits so it can rewrite the
        // header in place; matching it keeps our files byte-identical to np.save.
        if let first = shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        let unpadded = magic.count + 4 + header.utf8.count + 1
        header += String(repeating: " ", count: 64 - unpadded % 64) + "\n"
        var out: [UInt8] = []
        out.reserveCapacity(magic.count + 4 + header.utf8.count + values.count * 4)
        out += magic
        out += [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        out += header.utf8
        values.withUnsafeBufferPointer { floats in
            #if _endian(little)
            out.append(contentsOf: UnsafeRawBufferPointer(floats))
            #else
            for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            #endif
        }
        return out
    }

    /// Decodes float32 little-endian C-order arrays; anything else is refused with the reason.
    /// Versions 2.0 and 3.0 (longer headers) are read too; `encode` always writes 1.0.
    public static func decode(_ bytes: [UInt8]) throws(NPYError) -> (shape: [Int], values: [Float]) {
        guard bytes.count >= 8, Array(bytes[0..<6]) == magic else { throw .badMagic }
        let major = bytes[6], minor = bytes[7]
        guard (1...3).contains(major), minor == 0 else { throw .unsupportedVersion(major: major, minor: minor) }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw .truncatedHeader(needed: 8 + lengthBytes, available: bytes.count) }
        var headerLength = 0
        for i in (0..<lengthBytes).reversed() { headerLength = headerLength << 8 | Int(bytes[8 + i]) }
        let start = 8 + lengthBytes
        guard bytes.count >= start + headerLength else {
            throw .truncatedHeader(needed: start + headerLength, available: bytes.count)
        }
        guard let text = String(validating: bytes[start..<start + headerLength], as: UTF8.self) else {
            throw .malformedHeader("not UTF-8")
        }
        var parser = HeaderParser(text)
        let fields = try parser.parseDict()
        guard case .string(let descr)? = fields["descr"] else { throw .malformedHeader("no 'descr' string") }
        // '<f4' is what numpy writes for float32 on little-endian machines; '=f4' is not portable.
        guard descr == "<f4" else { throw .unsupportedDType(descr) }
        guard case .bool(let fortran)? = fields["fortran_order"] else { throw .malformedHeader("no 'fortran_order' flag") }
        guard !fortran else { throw .fortranOrder }
        guard case .tuple(let shape)? = fields["shape"] else { throw .malformedHeader("no 'shape' tuple") }
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .badShape("negative dimension \(dimension)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .badShape("\(shape) overflows") }
            count = product
        }
        let payload = bytes.count - start - headerLength
        let (expected, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow, payload == expected else { throw .payloadSize(expected: overflow ? Int.max : expected, actual: payload) }
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[(start + headerLength)...])
                for i in 0..<count {
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
            }
            initialized = count
        }
        return (shape, values)
    }

    /// Values in an npy header dict (a Python literal); only what `.npy` headers use.
    enum HeaderValue: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    /// A small parser for the header's Python dict literal, e.g.
    /// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
    struct HeaderParser {
        private let chars: [Character]
        private var index = 0

        init(_ text: String) { chars = Array(text) }

        mutating func parseDict() throws(NPYError) -> [String: HeaderValue] {
            var result: [String: HeaderValue] = [:]
            skipSpace()
            try expect("{")
            while true {
                skipSpace()
                if peek() == "}" { index += 1; break }
                let key = try parseString()
                skipSpace()
                try expect(":")
                skipSpace()
                result[key] = try parseValue()
                skipSpace()
                if peek() == "," { index += 1; continue }
                skipSpace()
                try expect("}")
                break
            }
            skipSpace()
            guard index == chars.count else { throw .malformedHeader("unexpected text after the dict") }
            return result
        }

        private mutating func parseValue() throws(NPYError) -> HeaderValue {
            switch peek() {
            case "'", "\"": return .string(try parseString())
            case "(":
                index += 1
                var items: [Int] = []
                while true {
                    skipSpace()
                    if peek() == ")" { index += 1; return .tuple(items) }
                    var digits = ""
                    while let c = peek(), c.isNumber || c == "-" { digits.append(c); index += 1 }
                    // Python 2 era files may write long integers as `3L`.
                    if peek() == "L" { index += 1 }
                    guard let value = Int(digits) else { throw .badShape("expected an integer at offset \(index)") }
                    items.append(value)
                    skipSpace()
                    if peek() == "," { index += 1 } else if peek() != ")" { throw .badShape("expected ',' or ')' at offset \(index)") }
                }
            default:
                if match("True") { return .bool(true) }
                if match("False") { return .bool(false) }
                throw .malformedHeader("unexpected value at offset \(index)")
            }
        }

        private mutating func parseString() throws(NPYError) -> String {
            guard let quote = peek(), quote == "'" || quote == "\"" else { throw .malformedHeader("expected a quoted key at offset \(index)") }
            index += 1
            var value = ""
            while let c = peek(), c != quote { value.append(c); index += 1 }
            try expect(quote)
            return value
        }

        private mutating func match(_ word: String) -> Bool {
            let w = Array(word)
            guard index + w.count <= chars.count, Array(chars[index..<index + w.count]) == w else { return false }
            index += w.count
            return true
        }

        private mutating func expect(_ c: Character) throws(NPYError) {
            guard peek() == c else { throw .malformedHeader("expected '\(c)' at offset \(index)") }
            index += 1
        }

        private func peek() -> Character? { index < chars.count ? chars[index] : nil }

        private mutating func skipSpace() { while let c = peek(), c.isWhitespace { index += 1 } }
    }
}
