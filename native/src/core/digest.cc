#include "digest.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <memory>
#include <string>

#include "algorithms.h"
#include "error.h"

namespace openrms::core {
namespace {

// OpenSSL wants a non-null pointer even for empty inputs.
const uint8_t kEmpty[1] = {0};
const uint8_t* NonNull(const uint8_t* p) { return p != nullptr ? p : kEmpty; }

void RequireSize(MutableByteView out, size_t size, const char* what) {
  if (out.size != size)
    throw Error(code::kInvalidArgument, std::string(what) + " must be " + std::to_string(size) + " bytes");
}

struct KdfDeleter {
  void operator()(EVP_KDF_CTX* ctx) const noexcept { EVP_KDF_CTX_free(ctx); }
};

}  // namespace

void Sha256Digest(ByteView data, MutableByteView out) {
  RequireSize(out, kSha256Size, "digest output");
  if (EVP_Digest(NonNull(data.data), data.size, out.data, nullptr, Sha256(), nullptr) != 1)
    ThrowOpenSslError("SHA-256 failed");
}

void HmacSha256(ByteView key, ByteView data, MutableByteView out) {
  RequireSize(out, kSha256Size, "HMAC output");
  unsigned int len = 0;
  if (HMAC(Sha256(), NonNull(key.data), static_cast<int>(key.size), NonNull(data.data), data.size,
           out.data, &len) == nullptr)
    ThrowOpenSslError("HMAC-SHA256 failed");
}

bool VerifyHmacSha256(ByteView key, ByteView data, ByteView tag) {
  if (tag.size < kHmacMinTagSize || tag.size > kSha256Size)
    throw Error(code::kInvalidArgument, "HMAC tag must be 16 to 32 bytes");
  uint8_t mac[kSha256Size];
  HmacSha256(key, data, {mac, sizeof mac});
  bool equal = CRYPTO_memcmp(mac, tag.data, tag.size) == 0;
  OPENSSL_cleanse(mac, sizeof mac);
  return equal;
}

void HkdfSha256(ByteView ikm, ByteView salt, ByteView info, MutableByteView out) {
  if (out.size == 0 || out.size > kHkdfSha256MaxOutput)
    throw Error(code::kInvalidArgument,
                "HKDF-SHA256 output length must be 1 to " + std::to_string(kHkdfSha256MaxOutput) + " bytes");
  InitializeLibcrypto();
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) ThrowOpenSslError("HKDF unavailable");
  std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) ThrowOpenSslError("HKDF context");

  char digest_name[] = "SHA2-256";
  OSSL_PARAM params[5];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(NonNull(ikm.data)), ikm.size);
  // An absent salt and an empty one are the same in RFC 5869 (HashLen zero bytes), but
  // OpenSSL rejects a zero-length salt parameter, so it is only passed when non-empty.
  if (salt.size > 0)
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data), salt.size);
  if (info.size > 0)
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.data), info.size);
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data, out.size, params) != 1) ThrowOpenSslError("HKDF-SHA256 failed");
}

void RandomBytes(MutableByteView out) {
  InitializeLibcrypto();
  // RAND_bytes takes an int length; fill large buffers in slices.
  size_t done = 0;
  while (done < out.size) {
    size_t chunk = out.size - done;
    if (chunk > (1u << 30)) chunk = 1u << 30;
    if (RAND_bytes(out.data + done, static_cast<int>(chunk)) != 1) ThrowOpenSslError("RAND_bytes failed");
    done += chunk;
  }
}

}  // namespace openrms::core
