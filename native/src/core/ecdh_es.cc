#include "ecdh_es.h"

#include <string>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "algorithms.h"
#include "digest.h"
#include "error.h"

namespace openrms::core {
namespace {

constexpr size_t kKekSize = 32;

// OPENSSL_cleanse on every exit path for the shared secret and the KEK.
class WipedBuffer {
 public:
  explicit WipedBuffer(size_t size) : bytes_(size) {}
  ~WipedBuffer() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  WipedBuffer(const WipedBuffer&) = delete;
  WipedBuffer& operator=(const WipedBuffer&) = delete;
  uint8_t* data() { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  ByteView view() const { return {bytes_.data(), bytes_.size()}; }
  MutableByteView mutable_view() { return {bytes_.data(), bytes_.size()}; }

 private:
  std::vector<uint8_t> bytes_;
};

// Fetched once (algorithms.h: an implicit fetch per call costs a lookup under a lock).
const EVP_CIPHER* Aes256Wrap() {
  InitializeLibcrypto();
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-WRAP", nullptr);
  if (cipher == nullptr) ThrowOpenSslError("AES-256-WRAP unavailable");
  return cipher;
}

bool IsWrappableKeySize(size_t size) { return size == 16 || size == 24 || size == 32; }

void RequireEc(const AsymmetricKey& key, const char* role) {
  if (key.type() != KeyType::kEcP256) throw Error(code::kInvalidKey, std::string("ECDH-ES needs an EC P-256 ") + role);
}

std::vector<uint8_t> EncodedPoint(const AsymmetricKey& key) {
  std::vector<uint8_t> point(kP256PointSize);
  size_t written = 0;
  if (EVP_PKEY_get_octet_string_param(key.pkey(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(), point.size(), &written) != 1 ||
      written != kP256PointSize)
    ThrowOpenSslError("EC public point");
  return point;
}

// Returns false (with OpenSSL's queue cleared) when the point does not decode to a point on
// P-256: SEC 1 decoding in OpenSSL checks the curve equation (EC_POINT_set_affine_coordinates).
bool ImportPeer(const AsymmetricKey& like, ByteView point, PkeyPtr& out) {
  PkeyPtr peer(EVP_PKEY_new());
  if (!peer || EVP_PKEY_copy_parameters(peer.get(), like.pkey()) != 1) ThrowOpenSslError("EC peer key");
  if (EVP_PKEY_set1_encoded_public_key(peer.get(), point.data, point.size) != 1) {
    ClearOpenSslErrors();
    return false;
  }
  out = std::move(peer);
  return true;
}

// Z of SP 800-56A 5.7.1.2. The peer's point is known to be on the curve and P-256's cofactor
// is 1, so OpenSSL's full public-key check (a further scalar multiplication by the order)
// adds nothing and is skipped (validate_peer = 0).
bool SharedSecret(const AsymmetricKey& own, EVP_PKEY* peer, WipedBuffer& z) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.pkey(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) ThrowOpenSslError("ECDH context");
  size_t size = z.size();
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 0) != 1 || EVP_PKEY_derive(ctx.get(), z.data(), &size) != 1 ||
      size != z.size()) {
    ClearOpenSslErrors();
    return false;
  }
  return true;
}

void DeriveKek(const WipedBuffer& z, ByteView epk, ByteView label, WipedBuffer& kek) {
  HkdfSha256(z.view(), epk, label, kek.mutable_view());
}

// AES-256-KW (RFC 3394, default IV A6A6A6A6A6A6A6A6). Returns false when unwrapping fails
// its integrity check.
bool AesKeyWrap(bool wrap, const WipedBuffer& kek, ByteView in, uint8_t* out, size_t expected) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) ThrowOpenSslError("AES-KW context");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_CipherInit_ex2(ctx.get(), Aes256Wrap(), kek.view().data, nullptr, wrap ? 1 : 0, nullptr) != 1)
    ThrowOpenSslError("AES-KW setup");
  int len = 0;
  if (EVP_CipherUpdate(ctx.get(), out, &len, in.data, static_cast<int>(in.size)) != 1 ||
      static_cast<size_t>(len) != expected) {
    ClearOpenSslErrors();
    return false;
  }
  return true;
}

}  // namespace

std::vector<uint8_t> EcdhEsWrapWithEphemeral(const AsymmetricKey& recipient, const AsymmetricKey& ephemeral, ByteView key,
                                             ByteView label) {
  RequireEc(recipient, "recipient key");
  RequireEc(ephemeral, "ephemeral key");
  if (!ephemeral.has_private()) throw Error(code::kInvalidKey, "the ephemeral key must be a private key");
  if (!IsWrappableKeySize(key.size)) throw Error(code::kInvalidArgument, "ECDH-ES+A256KW wraps keys of 16, 24 or 32 bytes");
  std::vector<uint8_t> out = EncodedPoint(ephemeral);
  WipedBuffer z(kP256FieldSize), kek(kKekSize);
  if (!SharedSecret(ephemeral, recipient.pkey(), z)) ThrowOpenSslError("ECDH");
  DeriveKek(z, out, label, kek);
  out.resize(kP256PointSize + key.size + kAesKeyWrapOverhead);
  if (!AesKeyWrap(true, kek, key, out.data() + kP256PointSize, key.size + kAesKeyWrapOverhead))
    ThrowOpenSslError("AES-KW wrap");
  return out;
}

std::vector<uint8_t> EcdhEsWrap(const AsymmetricKey& recipient, ByteView key, ByteView label) {
  RequireEc(recipient, "recipient key");
  return EcdhEsWrapWithEphemeral(recipient, AsymmetricKey::GenerateEcP256(), key, label);
}

SecretBytes EcdhEsUnwrap(const AsymmetricKey& recipient, ByteView wrapped, ByteView label) {
  RequireEc(recipient, "recipient key");
  if (!recipient.has_private()) throw Error(code::kInvalidKey, "ECDH-ES unwrap needs a private key");
  auto failed = [] { return Error(code::kDecryptionFailed, "ECDH-ES unwrap failed"); };
  if (wrapped.size < kP256PointSize + kAesKeyWrapOverhead ||
      !IsWrappableKeySize(wrapped.size - kP256PointSize - kAesKeyWrapOverhead))
    throw failed();
  // Only the uncompressed form is a wrap this code made; a compressed or hybrid encoding of
  // the same point would be a second spelling of one wrap.
  ByteView epk = wrapped.subview(0, kP256PointSize);
  if (epk.data[0] != 0x04) throw failed();
  PkeyPtr peer;
  if (!ImportPeer(recipient, epk, peer)) throw failed();
  WipedBuffer z(kP256FieldSize), kek(kKekSize);
  if (!SharedSecret(recipient, peer.get(), z)) throw failed();
  DeriveKek(z, epk, label, kek);
  ByteView sealed = wrapped.subview(kP256PointSize, wrapped.size - kP256PointSize);
  WipedBuffer key(sealed.size);
  if (!AesKeyWrap(false, kek, sealed, key.data(), sealed.size - kAesKeyWrapOverhead)) throw failed();
  return SecretBytes(ByteView(key.data(), sealed.size - kAesKeyWrapOverhead));
}

}  // namespace openrms::core
