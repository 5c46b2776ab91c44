// An AES key expanded once into an encrypting and a decrypting OpenSSL context. Each call
// re-initialises only the IV, so the key schedule is not rebuilt per message; the contexts
// are wiped by EVP_CIPHER_CTX_free. Not thread-safe: one instance per thread of use.
#pragma once

#include "algorithms.h"
#include "bytes.h"
#include "openssl_types.h"

namespace openrms::core {

inline constexpr size_t kAesBlockSize = 16;

class AesContexts {
 public:
  AesContexts(AesMode mode, ByteView key);

  EVP_CIPHER_CTX* encryptor() { return encrypt_.get(); }
  EVP_CIPHER_CTX* decryptor() { return decrypt_.get(); }
  size_t key_size() const { return key_size_; }

 private:
  CipherCtxPtr encrypt_;
  CipherCtxPtr decrypt_;
  size_t key_size_;
};

// EVP_CipherUpdate over inputs of any size (EVP takes int lengths); returns bytes written.
size_t CipherUpdate(EVP_CIPHER_CTX* ctx, ByteView in, uint8_t* out);

}  // namespace openrms::core
