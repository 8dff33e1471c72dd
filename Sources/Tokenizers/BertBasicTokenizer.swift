import Foundation

/// BERT's text normalization and word splitting (uncased), as Hugging Face's BertNormalizer and
/// BertPreTokenizer do them: drop NUL, U+FFFD and control/format/private-use characters, turn
/// whitespace into spaces, put spaces around CJK ideographs, NFD and drop nonspacing marks (accents),
/// lower-case per character, then split on whitespace and make each punctuation character a word.
enum BertBasicTokenizer {
    /// Calls `body` with each word's UTF-8 bytes and its length in scalars, until it returns false.
    static func forEachWord(in text: Substring, _ body: (_ utf8: [UInt8], _ scalarCount: Int) -> Bool) {
        var word: [UInt8] = []
        var wordLength = 0
        func finishWord() -> Bool {
            guard wordLength > 0 else { return true }
            defer { word.removeAll(keepingCapacity: true); wordLength = 0 }
            return body(word, wordLength)
        }
        for scalar in normalize(text) {
            if isWhitespace(scalar) {
                guard finishWord() else { return }
            } else if isPunctuation(scalar) {
                guard finishWord() else { return }
                word.append(contentsOf: scalar.utf8)
                wordLength = 1
                guard finishWord() else { return }
            } else {
                word.append(contentsOf: scalar.utf8)
                wordLength += 1
            }
        }
        _ = finishWord()
    }

    /// The normalized text, in the order the normalizer applies its steps.
    static func normalize(_ text: Substring) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        var ascii = true
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isCJKIdeograph(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
            ascii = ascii && scalar.isASCII
        }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(cleaned.count)
        // ASCII has no accents to strip; anything else goes through NFD first.
        let decomposed = ascii ? Array(cleaned) : ReferenceUnicode.normalize(cleaned[...], composed: false)
        for scalar in decomposed where scalar.isASCII || ReferenceUnicode.bertCategory(scalar) != .nonspacingMark {
            ReferenceUnicode.appendLowercase(of: scalar, to: &result)
        }
        return result
    }

    /// Rust's `char::is_whitespace` (White_Space), with tab and newlines included.
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D: true
        case ..<0x80: scalar.value == 0x0B || scalar.value == 0x0C
        default: scalar.properties.isWhitespace
        }
    }

    /// General category Cc, Cf, Co or Cs, except tab and newlines (which count as whitespace).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            // Vertical tab and form feed are removed here, before whitespace would turn them into spaces.
            let value = scalar.value
            return (value < 0x20 || value == 0x7F) && value != 0x09 && value != 0x0A && value != 0x0D
        }
        switch ReferenceUnicode.bertCategory(scalar) {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// All ASCII symbols count, even `$ + < = > ^ ` | ~` which Unicode calls symbols, and every P* category.
    private static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case ..<0x80: return false
        default: break
        }
        switch ReferenceUnicode.bertCategory(scalar) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT splits character by character (not kana or hangul).
    private static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
