// Debian's libcrypto (OpenSSL 3): the EVP digest calls, for SHA-256 (see OODCore's SHA256).
#include <openssl/evp.h>
