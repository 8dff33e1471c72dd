import CCrypto
import Foundation

/// SHA-256 by Debian's libcrypto (OpenSSL's SHA-256 code, which uses the CPU's SHA extensions where
/// it has them): fed piece by piece with `update`, read with `finalize`. A value type: its state is
/// OpenSSL's plain `SHA256_CTX` struct, so a copy goes on from the same state without touching the
/// original, and nothing can fail.
public struct SHA256 {
    /// The digest's size in bytes.
    public static let byteCount = 32

    private var context = SHA256_CTX()

    public init() { ccrypto_sha256_init(&context) }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        ccrypto_sha256_update(&context, bytes.baseAddress, bytes.count)
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added so far (32 bytes); the hasher itself is left as it was.
    public func finalize() -> [UInt8] {
        var copy = context
        return [UInt8](unsafeUninitializedCapacity: Self.byteCount) { buffer, count in
            ccrypto_sha256_final(&copy, buffer.baseAddress)
            count = Self.byteCount
        }
    }

    /// The digest of `bytes` as plain bytes.
    public static func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Lowercase hex, as sha256sum and hashlib print it.
    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        Hex.string(digest)
    }
}
