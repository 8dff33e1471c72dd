import CCrypto
import Foundation

/// SHA-256 by Debian's libcrypto (OpenSSL's EVP digests, which use the CPU's SHA extensions where it
/// has them): fed piece by piece with `update`, read once with `finalize`. A value type: a copy goes
/// on from the same state without touching the original.
public struct SHA256 {
    /// The digest's size in bytes.
    public static let byteCount = 32

    private var state: State

    public init() { state = State() }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if !isKnownUniquelyReferenced(&state) { state = State(copying: state) }
        guard EVP_DigestUpdate(state.context, bytes.baseAddress, bytes.count) == 1 else {
            fatalError("EVP_DigestUpdate failed (SHA-256)")
        }
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added so far (32 bytes); the hasher itself is left as it was.
    public func finalize() -> [UInt8] {
        let copy = State(copying: state)
        return withExtendedLifetime(copy) {
            [UInt8](unsafeUninitializedCapacity: Self.byteCount) { buffer, count in
                var length: UInt32 = 0
                guard EVP_DigestFinal_ex(copy.context, buffer.baseAddress, &length) == 1, Int(length) == Self.byteCount else {
                    fatalError("EVP_DigestFinal_ex failed (SHA-256)")
                }
                count = Int(length)
            }
        }
    }

    /// The digest of `bytes` as plain bytes.
    public static func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        bytes.withUnsafeBytes { bytes in
            [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, count in
                var length: UInt32 = 0
                guard EVP_Digest(bytes.baseAddress, bytes.count, buffer.baseAddress, &length, algorithm, nil) == 1,
                      Int(length) == byteCount else {
                    fatalError("EVP_Digest failed (SHA-256)")
                }
                count = Int(length)
            }
        }
    }

    /// Lowercase hex, as sha256sum and hashlib print it.
    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        Hex.string(digest)
    }

    /// SHA-256 fetched from the default provider once: OpenSSL 3 would otherwise look it up again on
    /// every init. Never freed; immutable and safe to share between threads once fetched.
    nonisolated(unsafe) private static let algorithm: OpaquePointer = {
        guard let found = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("libcrypto has no SHA-256") }
        return found
    }()

    /// One EVP digest context, owned: freed with the value that holds it.
    private final class State {
        let context: OpaquePointer

        init() {
            guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, SHA256.algorithm, nil) == 1 else {
                fatalError("EVP_DigestInit_ex failed (SHA-256)")
            }
            self.context = context
        }

        init(copying other: State) {
            guard let context = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(context, other.context) == 1 else {
                fatalError("EVP_MD_CTX_copy_ex failed (SHA-256)")
            }
            self.context = context
        }

        deinit { EVP_MD_CTX_free(context) }
    }
}
