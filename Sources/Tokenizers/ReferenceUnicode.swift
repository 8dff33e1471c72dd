import Foundation

/// The Unicode data the Hugging Face (Rust) tokenizers see, which is older than Swift's and differs by
/// component: normalization comes from a crate on Unicode 9.0, BERT's categories from one on 8.0,
/// CLIP's regex classes from Oniguruma on 16.0; only lower case (Rust's std) is on 17.0 like Swift.
/// A scalar assigned after a component's version is unassigned to it: no mapping, category Cn.
/// Measured on every scalar against tokenizers 0.23; the goldens keep the scalars where it shows.
enum ReferenceUnicode {
    static func isAssigned(_ scalar: Unicode.Scalar, by version: (major: Int, minor: Int)) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < version.major || age.major == version.major && age.minor <= version.minor
    }

    /// Full lower case mapping (no final-sigma context), as Rust's `char::to_lowercase`.
    static func appendLowercase(of scalar: Unicode.Scalar, to scalars: inout [Unicode.Scalar]) {
        if scalar.isASCII {
            let byte = UInt8(scalar.value)
            scalars.append(Unicode.Scalar(byte >= 65 && byte <= 90 ? byte + 32 : byte))
        } else {
            scalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
    }

    /// NFC (`composed`) or NFD of `text` on Unicode 9.0 data. A later scalar has no decomposition and
    /// combining class 0 there, so it splits the text into parts normalized on their own. NFC uses the
    /// standard library, not Foundation: on Linux the latter composes a supplementary-plane starter as
    /// if it were its low 16 bits (U+E0061 + U+0325 gives U+1E01).
    static func normalize(_ text: String.UnicodeScalarView.SubSequence, composed: Bool) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var part = String.UnicodeScalarView()
        func flush() {
            guard !part.isEmpty else { return }
            let string = String(part)
            if composed {
                result.append(contentsOf: String(decoding: string._nfcCodeUnits, as: UTF8.self).unicodeScalars)
            } else {
                result.append(contentsOf: string.decomposedStringWithCanonicalMapping.unicodeScalars)
            }
            part.removeAll()
        }
        for scalar in text {
            if scalar.isASCII || isAssigned(scalar, by: (9, 0)) {
                part.append(scalar)
            } else {
                flush()
                result.append(scalar)
            }
        }
        flush()
        return result
    }

    /// BERT's general category: Unicode 8.0, including the few scalars whose category changed since.
    static func bertCategory(_ scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        guard isAssigned(scalar, by: (8, 0)) else { return .unassigned }
        switch scalar.value {
        case 0x1885, 0x1886: return .otherLetter
        case 0x166D, 0x111C9: return .otherPunctuation
        case 0x1734, 0x1171E: return .nonspacingMark
        case 0xA9BD: return .spacingMark
        default: return scalar.properties.generalCategory
        }
    }
}
