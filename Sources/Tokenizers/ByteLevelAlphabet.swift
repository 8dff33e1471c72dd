/// GPT-2's reversible byte -> character table that byte-level BPE vocabularies are written in:
/// printable Latin-1 bytes stand for themselves, the others (controls, space, soft hyphen) for the
/// characters from U+0100 on, in byte order.
enum ByteLevelAlphabet {
    /// `characters[byte]`
    static let characters: [String] = {
        func printable(_ byte: Int) -> Bool {
            (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
        }
        var shifted = 0
        return (0..<256).map { byte in
            if printable(byte) { return String(Unicode.Scalar(UInt8(byte))) }
            defer { shifted += 1 }
            return String(decoding: [UInt16(256 + shifted)], as: UTF16.self)
        }
    }()
}
