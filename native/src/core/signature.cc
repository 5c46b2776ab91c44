#include "signature.h"

#include <cstring>

#include <openssl/rsa.h>

#include "algorithms.h"
#include "digest.h"
#include "error.h"

namespace openrms::core {
namespace {

void RequireMatchingKey(SignatureAlgorithm algorithm, const AsymmetricKey& key) {
  bool wants_ec = algorithm == SignatureAlgorithm::kEs256;
  if (wants_ec != (key.type() == KeyType::kEcP256))
    throw Error(code::kInvalidKey, wants_ec ? "ES256 needs an EC P-256 key" : "RS256 and PS256 need an RSA key");
}

// Sets padding, digest and salt length on a context after sign_init or verify_init.
void Configure(EVP_PKEY_CTX* ctx, SignatureAlgorithm algorithm) {
  bool ok = EVP_PKEY_CTX_set_signature_md(ctx, Sha256()) == 1;
  if (algorithm == SignatureAlgorithm::kRs256) {
    ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  } else if (algorithm == SignatureAlgorithm::kPs256) {
    ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, Sha256()) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, static_cast<int>(kSha256Size)) == 1;
  }
  if (!ok) ThrowOpenSslError("signature setup");
}

PkeyCtxPtr NewContext(SignatureAlgorithm algorithm, EVP_PKEY* pkey, bool sign) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) ThrowOpenSslError("signature context");
  int ok = sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get());
  if (ok != 1) ThrowOpenSslError("signature init");
  Configure(ctx.get(), algorithm);
  return ctx;
}

// P1363 r || s to the DER ECDSA-Sig-Value OpenSSL verifies. Returns empty when the input
// cannot be a P-256 signature (the caller then reports "invalid", not an error).
std::vector<uint8_t> P1363ToDer(ByteView sig) {
  if (sig.size != kEs256SignatureSize) return {};
  EcdsaSigPtr ecdsa(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(sig.data, 32, nullptr);
  BIGNUM* s = BN_bin2bn(sig.data + 32, 32, nullptr);
  if (!ecdsa || r == nullptr || s == nullptr || ECDSA_SIG_set0(ecdsa.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ThrowOpenSslError("ECDSA signature");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(ecdsa.get(), &der);
  if (len <= 0) ThrowOpenSslError("ECDSA signature encoding");
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::vector<uint8_t> DerToP1363(ByteView der) {
  const unsigned char* p = der.data;
  EcdsaSigPtr ecdsa(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size)));
  if (!ecdsa) ThrowOpenSslError("ECDSA signature decoding");
  std::vector<uint8_t> out(kEs256SignatureSize);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa.get()), out.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa.get()), out.data() + 32, 32) != 32)
    ThrowOpenSslError("ECDSA signature size");
  return out;
}

bool VerifyWith(EVP_PKEY_CTX* ctx, SignatureAlgorithm algorithm, ByteView data, ByteView signature) {
  uint8_t digest[kSha256Size];
  Sha256Digest(data, {digest, sizeof digest});
  std::vector<uint8_t> der;
  if (algorithm == SignatureAlgorithm::kEs256) {
    der = P1363ToDer(signature);
    if (der.empty()) return false;
    signature = der;
  }
  static const uint8_t kEmpty[1] = {0};
  int result = EVP_PKEY_verify(ctx, signature.size ? signature.data : kEmpty, signature.size, digest, sizeof digest);
  if (result != 1) ClearOpenSslErrors();
  return result == 1;
}

}  // namespace

std::vector<uint8_t> Sign(SignatureAlgorithm algorithm, const AsymmetricKey& key, ByteView data) {
  RequireMatchingKey(algorithm, key);
  if (!key.has_private()) throw Error(code::kInvalidKey, "signing needs a private key");
  PkeyCtxPtr ctx = NewContext(algorithm, key.pkey(), true);
  uint8_t digest[kSha256Size];
  Sha256Digest(data, {digest, sizeof digest});
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest, sizeof digest) != 1) ThrowOpenSslError("signature size");
  std::vector<uint8_t> sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest, sizeof digest) != 1) ThrowOpenSslError("sign");
  sig.resize(len);
  if (algorithm == SignatureAlgorithm::kEs256) return DerToP1363(sig);
  return sig;
}

bool Verify(SignatureAlgorithm algorithm, const AsymmetricKey& key, ByteView data, ByteView signature) {
  RequireMatchingKey(algorithm, key);
  PkeyCtxPtr ctx = NewContext(algorithm, key.pkey(), false);
  return VerifyWith(ctx.get(), algorithm, data, signature);
}

bool BatchVerifier::Verify(SignatureAlgorithm algorithm, const AsymmetricKey& key, ByteView data, ByteView signature) {
  RequireMatchingKey(algorithm, key);
  auto slot = std::make_pair(key.pkey(), algorithm);
  auto it = contexts_.find(slot);
  if (it == contexts_.end()) it = contexts_.emplace(slot, NewContext(algorithm, key.pkey(), false)).first;
  return VerifyWith(it->second.get(), algorithm, data, signature);
}

}  // namespace openrms::core
