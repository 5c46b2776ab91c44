#include "aes_context.h"

#include <climits>

#include "error.h"

namespace openrms::core {
namespace {

CipherCtxPtr KeyedContext(const EVP_CIPHER* cipher, ByteView key, int encrypt) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher, key.data, nullptr, encrypt, nullptr) != 1)
    ThrowOpenSslError("cannot initialise AES context");
  return ctx;
}

}  // namespace

AesContexts::AesContexts(AesMode mode, ByteView key)
    : encrypt_(KeyedContext(AesCipher(mode, key.size), key, 1)),
      decrypt_(KeyedContext(AesCipher(mode, key.size), key, 0)),
      key_size_(key.size) {}

size_t CipherUpdate(EVP_CIPHER_CTX* ctx, ByteView in, uint8_t* out) {
  // Slices stay multiples of the block size so no partial block is buffered between them.
  constexpr size_t kSlice = static_cast<size_t>(INT_MAX) & ~(kAesBlockSize - 1);
  size_t read = 0, written = 0;
  do {
    size_t n = in.size - read < kSlice ? in.size - read : kSlice;
    int produced = 0;
    if (EVP_CipherUpdate(ctx, out + written, &produced, in.data + read, static_cast<int>(n)) != 1)
      ThrowOpenSslError("AES update failed");
    read += n;
    written += static_cast<size_t>(produced);
  } while (read < in.size);
  return written;
}

}  // namespace openrms::core
