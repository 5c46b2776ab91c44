// AES-CBC with or without PKCS#7 padding, and AES-ECB without padding (the building blocks of
// the MICROSOFT.* sector modes).
#pragma once

#include "aes_context.h"

namespace openrms::core {

enum class Padding { kNone, kPkcs7 };

// Ciphertext size of `plaintext_size` bytes under `padding` (PKCS#7 always adds 1..16 bytes).
size_t CbcCiphertextSize(size_t plaintext_size, Padding padding);

class AesCbc {
 public:
  explicit AesCbc(ByteView key);

  // Returns the bytes written to `out`, which must hold CbcCiphertextSize(in.size).
  // Without padding, `in` must be a multiple of 16 bytes (NOT_BLOCK_ALIGNED otherwise).
  size_t Encrypt(ByteView iv, ByteView in, MutableByteView out, Padding padding);
  // `in` must be a multiple of 16 bytes; `out` must hold in.size bytes. A bad padding gives
  // DECRYPTION_FAILED (the same code as any other failure, so no padding oracle is exposed
  // through the code) and leaves `out` zeroed.
  size_t Decrypt(ByteView iv, ByteView in, MutableByteView out, Padding padding);

 private:
  AesContexts contexts_;
};

class AesEcb {
 public:
  explicit AesEcb(ByteView key);
  // `in` must be a multiple of 16 bytes; `out` the same size (may be the same memory).
  void Encrypt(ByteView in, MutableByteView out);
  void Decrypt(ByteView in, MutableByteView out);

 private:
  AesContexts contexts_;
};

}  // namespace openrms::core
