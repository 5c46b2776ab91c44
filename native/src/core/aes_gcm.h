// AES-GCM (NIST SP 800-38D) with 128-bit tags over one expanded key.
#pragma once

#include "aes_context.h"

namespace openrms::core {

inline constexpr size_t kGcmTagSize = 16;
inline constexpr size_t kGcmRecommendedIvSize = 12;
// GCM accepts any IV length of at least one byte; OpenSSL 3's provider stores the IV in a
// 128-byte field, so longer IVs are refused (INVALID_ARGUMENT) rather than half-supported.
inline constexpr size_t kGcmMaxIvSize = 128;

class AesGcm {
 public:
  explicit AesGcm(ByteView key);

  // Encrypts `plaintext` into `ciphertext` (same size; may be the same memory) and writes
  // the 16-byte tag.
  void Seal(ByteView iv, ByteView aad, ByteView plaintext, MutableByteView ciphertext, MutableByteView tag);

  // Decrypts and authenticates. On a bad tag returns false and zeroes `plaintext`, so no
  // unauthenticated byte is ever left in the caller's buffer.
  bool Open(ByteView iv, ByteView aad, ByteView ciphertext, ByteView tag, MutableByteView plaintext);

 private:
  void Begin(EVP_CIPHER_CTX* ctx, ByteView iv, ByteView aad, size_t& current_iv_size);

  AesContexts contexts_;
  size_t encrypt_iv_size_ = kGcmRecommendedIvSize;
  size_t decrypt_iv_size_ = kGcmRecommendedIvSize;
};

}  // namespace openrms::core
