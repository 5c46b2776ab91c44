#include "rsa_oaep.h"

#include <string>

#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "algorithms.h"
#include "error.h"

namespace openrms::core {
namespace {

void RequireRsa(const AsymmetricKey& key) {
  if (key.type() != KeyType::kRsa) throw Error(code::kInvalidKey, "RSA-OAEP needs an RSA key");
}

PkeyCtxPtr OaepContext(const AsymmetricKey& key, ByteView label, bool encrypt) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey(), nullptr));
  if (!ctx) ThrowOpenSslError("RSA context");
  int ok = encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get());
  if (ok != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), Sha256()) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), Sha256()) != 1)
    ThrowOpenSslError("RSA-OAEP setup");
  if (label.size > 0) {
    // set0 takes ownership of an OPENSSL_malloc'd copy.
    void* copy = OPENSSL_memdup(label.data, label.size);
    if (copy == nullptr || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy, static_cast<int>(label.size)) != 1) {
      OPENSSL_free(copy);
      ThrowOpenSslError("RSA-OAEP label");
    }
  }
  return ctx;
}

}  // namespace

size_t RsaOaepMaxMessageSize(const AsymmetricKey& key) {
  size_t k = static_cast<size_t>(EVP_PKEY_get_size(key.pkey()));
  return k - 2 * 32 - 2;
}

std::vector<uint8_t> RsaOaepWrap(const AsymmetricKey& key, ByteView message, ByteView label) {
  RequireRsa(key);
  size_t max = RsaOaepMaxMessageSize(key);
  if (message.size > max)
    throw Error(code::kInvalidArgument, "RSA-OAEP-256 can wrap at most " + std::to_string(max) + " bytes with this key");
  PkeyCtxPtr ctx = OaepContext(key, label, true);
  size_t out_len = static_cast<size_t>(EVP_PKEY_get_size(key.pkey()));
  std::vector<uint8_t> out(out_len);
  static const uint8_t kEmpty[1] = {0};
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &out_len, message.size ? message.data : kEmpty, message.size) != 1)
    ThrowOpenSslError("RSA-OAEP wrap");
  out.resize(out_len);
  return out;
}

SecretBytes RsaOaepUnwrap(const AsymmetricKey& key, ByteView ciphertext, ByteView label) {
  RequireRsa(key);
  if (!key.has_private()) throw Error(code::kInvalidKey, "RSA-OAEP unwrap needs a private key");
  PkeyCtxPtr ctx = OaepContext(key, label, false);
  size_t k = static_cast<size_t>(EVP_PKEY_get_size(key.pkey()));
  if (ciphertext.size != k) throw Error(code::kDecryptionFailed, "RSA-OAEP ciphertext has the wrong length");
  std::vector<uint8_t> out(k);
  size_t out_len = k;
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &out_len, ciphertext.data, ciphertext.size) != 1) {
    ClearOpenSslErrors();
    OPENSSL_cleanse(out.data(), out.size());
    throw Error(code::kDecryptionFailed, "RSA-OAEP unwrap failed");
  }
  SecretBytes result(ByteView(out.data(), out_len));
  OPENSSL_cleanse(out.data(), out.size());
  return result;
}

}  // namespace openrms::core
