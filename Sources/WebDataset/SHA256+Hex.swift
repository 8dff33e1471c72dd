import Crypto

extension SHA256 {
    /// The digest of `bytes` as plain bytes.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        Array(hash(data: bytes))
    }

    /// Lowercase hex, as sha256sum and hashlib print it.
    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
