import Crypto
import OODCore

extension SHA256 {
    /// The digest of `bytes` as plain bytes.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        Array(hash(data: bytes))
    }

    /// Lowercase hex, as sha256sum and hashlib print it.
    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        Hex.string(digest)
    }
}
