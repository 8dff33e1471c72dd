// Debian's libcrypto (OpenSSL 3): SHA-256 through its low-level calls (see OODCore's SHA256).
// OpenSSL 3 marks them deprecated in favour of EVP, but EVP's context is a heap object whose every
// call may fail (provider lookup, allocation), while SHA256_CTX is a plain struct: copying it copies
// the hash state, and the calls cannot fail on a valid context (they return 1 unconditionally).
// Both run the same assembly, with the CPU's SHA extensions where it has them.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>

static inline void ccrypto_sha256_init(SHA256_CTX *context) { (void)SHA256_Init(context); }
static inline void ccrypto_sha256_update(SHA256_CTX *context, const void *bytes, size_t count) {
    (void)SHA256_Update(context, bytes, count);
}
static inline void ccrypto_sha256_final(SHA256_CTX *context, unsigned char *digest) { (void)SHA256_Final(digest, context); }
