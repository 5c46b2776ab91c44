#include "algorithms.h"

#include <openssl/crypto.h>

#include "error.h"

namespace openrms::core {
namespace {

struct FetchedCiphers {
  // [mode][key size index: 128, 192, 256]
  EVP_CIPHER* table[3][3] = {};

  FetchedCiphers() {
    static const char* const kNames[3][3] = {
        {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"},
        {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"},
        {"AES-128-ECB", "AES-192-ECB", "AES-256-ECB"},
    };
    for (int m = 0; m < 3; ++m)
      for (int k = 0; k < 3; ++k) table[m][k] = EVP_CIPHER_fetch(nullptr, kNames[m][k], nullptr);
  }
  // Never freed: they live as long as libcrypto, and freeing them from a static destructor
  // after libcrypto's own atexit clean-up would touch released memory.
};

int KeySizeIndex(size_t key_size) {
  switch (key_size) {
    case 16: return 0;
    case 24: return 1;
    case 32: return 2;
    default:
      throw Error(code::kInvalidKey, "AES key must be 16, 24 or 32 bytes, got " + std::to_string(key_size));
  }
}

}  // namespace

void InitializeLibcrypto() {
  static const bool initialized = [] {
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1;
  }();
  if (!initialized) ThrowOpenSslError("cannot initialise libcrypto");
}

const EVP_CIPHER* AesCipher(AesMode mode, size_t key_size) {
  int k = KeySizeIndex(key_size);
  InitializeLibcrypto();
  static const FetchedCiphers ciphers;
  const EVP_CIPHER* cipher = ciphers.table[static_cast<int>(mode)][k];
  if (cipher == nullptr) ThrowOpenSslError("AES cipher unavailable");
  return cipher;
}

const EVP_MD* Sha256() {
  InitializeLibcrypto();
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  if (md == nullptr) ThrowOpenSslError("SHA-256 unavailable");
  return md;
}

}  // namespace openrms::core
