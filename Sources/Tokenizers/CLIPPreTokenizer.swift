/// CLIP's text normalization and word splitting, as the Hugging Face tokenizer does them: NFC, lower
/// case (per character, no final-sigma rule), then the words of
/// `'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`, whitespace dropped.
/// A hand-written scanner instead of a regex: the alternatives are simple and this is the hot loop.
enum CLIPPreTokenizer {
    /// The text NFC-normalized and lower-cased, as scalars.
    static func normalize(_ text: Substring) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII is already NFC, and its lower case is a shift.
            for byte in text.utf8 {
                scalars.append(Unicode.Scalar(byte >= 65 && byte <= 90 ? byte + 32 : byte))
            }
            return scalars
        }
        for scalar in ReferenceUnicode.normalize(text.unicodeScalars, composed: true) {
            ReferenceUnicode.appendLowercase(of: scalar, to: &scalars)
        }
        return scalars
    }

    /// Calls `body` with the scalars of each word in order, until it returns false.
    static func forEachWord(in scalars: [Unicode.Scalar], _ body: (ArraySlice<Unicode.Scalar>) -> Bool) {
        var start = 0
        let count = scalars.count
        while start < count {
            var end = start + 1
            switch ScalarClass(scalars[start]) {
            case .whitespace:
                start = end
                continue
            case .number:
                break  // a single digit
            case .letter:
                while end < count, ScalarClass(scalars[end]) == .letter { end += 1 }
            case .other:
                if scalars[start] == "'", let length = contractionLength(scalars, after: start) {
                    end = start + length
                } else {
                    while end < count, ScalarClass(scalars[end]) == .other { end += 1 }
                }
            }
            guard body(scalars[start..<end]) else { return }
            start = end
        }
    }

    /// 2 or 3 when `'s 't 're 've 'm 'll 'd` starts at `index` (the scalar there is an apostrophe).
    private static func contractionLength(_ scalars: [Unicode.Scalar], after index: Int) -> Int? {
        guard index + 1 < scalars.count else { return nil }
        switch scalars[index + 1] {
        case "s", "t", "m", "d": return 2
        case "r", "v":
            return index + 2 < scalars.count && scalars[index + 2] == "e" ? 3 : nil
        case "l":
            return index + 2 < scalars.count && scalars[index + 2] == "l" ? 3 : nil
        default: return nil
        }
    }
}

/// What the word pattern distinguishes: `\p{L}`, `\p{N}`, `\s` (White_Space, as Oniguruma's `\s`),
/// with Oniguruma's Unicode version.
private enum ScalarClass {
    case letter, number, whitespace, other

    init(_ scalar: Unicode.Scalar) {
        if scalar.isASCII {
            switch scalar.value {
            case 0x61...0x7A, 0x41...0x5A: self = .letter
            case 0x30...0x39: self = .number
            case 0x09...0x0D, 0x20: self = .whitespace
            default: self = .other
            }
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace {
            self = .whitespace
            return
        }
        guard ReferenceUnicode.isAssigned(scalar, by: (16, 0)) else {
            self = .other
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            self = .number
        default:
            self = .other
        }
    }
}
