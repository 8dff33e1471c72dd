/// Why bytes are not an `.npy` array this codec reads (float32 little-endian, C order).
public enum NPYError: Error, Equatable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(major: UInt8, minor: UInt8)
    case truncatedHeader(needed: Int, available: Int)
    case malformedHeader(String)
    case unsupportedDType(String)
    case fortranOrder
    case badShape(String)
    case payloadSize(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .badMagic: "npy: bytes do not start with the \\x93NUMPY magic"
        case .unsupportedVersion(let major, let minor): "npy: format version \(major).\(minor) is not supported (1.0-3.0 are)"
        case .truncatedHeader(let needed, let available): "npy: header needs \(needed) bytes but only \(available) are present"
        case .malformedHeader(let reason): "npy: malformed header: \(reason)"
        case .unsupportedDType(let descr): "npy: dtype '\(descr)' is not supported (only '<f4', float32 little-endian)"
        case .fortranOrder: "npy: fortran_order True is not supported (only C order)"
        case .badShape(let reason): "npy: bad shape: \(reason)"
        case .payloadSize(let expected, let actual): "npy: shape needs \(expected) data bytes but \(actual) follow the header"
        }
    }
}
