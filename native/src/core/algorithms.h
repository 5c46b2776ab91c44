// OpenSSL 3 algorithm objects, fetched once per process. An implicit fetch (EVP_aes_256_gcm()
// passed to an Init call) looks the algorithm up under a lock on every call, which costs more
// than encrypting a 1 KiB record; explicit fetches made once remove that from the hot path.
#pragma once

#include <cstddef>

#include <openssl/evp.h>

namespace openrms::core {

enum class AesMode { kGcm, kCbc, kEcb };

// The cipher for an AES key of `key_size` bytes (16, 24 or 32) in `mode`; throws
// INVALID_KEY for any other key size.
const EVP_CIPHER* AesCipher(AesMode mode, size_t key_size);

const EVP_MD* Sha256();

// Initialises libcrypto without reading the system openssl.cnf, so that the addon behaves
// the same on every machine whatever the host's OpenSSL configuration says.
void InitializeLibcrypto();

}  // namespace openrms::core
