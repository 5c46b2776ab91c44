#include "asymmetric_key.h"

#include <climits>
#include <cstring>
#include <string>

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "algorithms.h"
#include "error.h"

namespace openrms::core {
namespace {

[[noreturn]] void InvalidKey(const std::string& why) {
  ClearOpenSslErrors();
  throw Error(code::kInvalidKey, why);
}

BignumPtr ToBignum(ByteView bytes, const char* name) {
  if (bytes.size == 0) InvalidKey(std::string("key component ") + name + " is missing");
  BignumPtr bn(BN_bin2bn(bytes.data, static_cast<int>(bytes.size), nullptr));
  if (!bn) ThrowOpenSslError("bignum");
  return bn;
}

std::vector<uint8_t> BignumParam(EVP_PKEY* pkey, const char* name, size_t pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) ThrowOpenSslError("cannot read key component");
  BignumPtr bn(raw);
  size_t size = pad_to != 0 ? pad_to : static_cast<size_t>(BN_num_bytes(bn.get()));
  std::vector<uint8_t> out(size);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(size)) < 0) ThrowOpenSslError("key component size");
  return out;
}

SecretBytes SecretBignumParam(EVP_PKEY* pkey, const char* name, size_t pad_to) {
  std::vector<uint8_t> plain = BignumParam(pkey, name, pad_to);
  SecretBytes secret(plain);
  OPENSSL_cleanse(plain.data(), plain.size());
  return secret;
}

PkeyPtr FromParams(const char* type, int selection, OSSL_PARAM_BLD* bld) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) ThrowOpenSslError("key import");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) InvalidKey("key components do not form a valid key");
  return PkeyPtr(raw);
}

// d2i functions move the pointer past what they parsed; trailing bytes mean the input was
// not one key.
template <class Parse>
PkeyPtr ParseWhole(ByteView der, Parse parse) {
  const unsigned char* p = der.data;
  PkeyPtr key(parse(&p, static_cast<long>(der.size)));
  if (key && p != der.data + der.size) return nullptr;
  return key;
}

PkeyPtr ParsePublicDer(ByteView der) {
  return ParseWhole(der, [](const unsigned char** p, long n) { return d2i_PUBKEY(nullptr, p, n); });
}

PkeyPtr ParsePrivateDer(ByteView der) {
  return ParseWhole(der, [](const unsigned char** p, long n) { return d2i_AutoPrivateKey(nullptr, p, n); });
}

// n == p * q, d mod (p-1) == dp, d mod (q-1) == dq and q * qi mod p == 1 (RFC 8017 3.2).
bool RsaMembersAgree(EVP_PKEY* pkey) {
  const char* names[] = {OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
                         OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
                         OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
  BignumPtr v[7];
  for (int i = 0; i < 7; ++i) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, names[i], &raw) != 1) return false;  // e.g. no CRT members
    v[i].reset(raw);
  }
  const BIGNUM *n = v[0].get(), *d = v[1].get(), *p = v[2].get(), *q = v[3].get();
  const BIGNUM *dp = v[4].get(), *dq = v[5].get(), *qi = v[6].get();
  std::unique_ptr<BN_CTX, OpenSslDeleter<BN_CTX, BN_CTX_free>> ctx(BN_CTX_new());
  BignumPtr t(BN_new()), p1(BN_dup(p)), q1(BN_dup(q));
  if (!ctx || !t || !p1 || !q1 || BN_sub_word(p1.get(), 1) != 1 || BN_sub_word(q1.get(), 1) != 1)
    ThrowOpenSslError("bignum");
  bool ok = BN_mul(t.get(), p, q, ctx.get()) == 1 && BN_cmp(t.get(), n) == 0;
  ok = ok && BN_mod(t.get(), d, p1.get(), ctx.get()) == 1 && BN_cmp(t.get(), dp) == 0;
  ok = ok && BN_mod(t.get(), d, q1.get(), ctx.get()) == 1 && BN_cmp(t.get(), dq) == 0;
  ok = ok && BN_mod_mul(t.get(), q, qi, p, ctx.get()) == 1 && BN_is_one(t.get());
  ClearOpenSslErrors();
  return ok;
}

}  // namespace

AsymmetricKey::AsymmetricKey(PkeyPtr pkey, bool has_private) : pkey_(std::move(pkey)), has_private_(has_private) {
  if (EVP_PKEY_is_a(pkey_.get(), "RSA")) {
    type_ = KeyType::kRsa;
    int bits = EVP_PKEY_get_bits(pkey_.get());
    if (bits < kRsaMinBits || bits > kRsaMaxBits)
      InvalidKey("RSA key must be " + std::to_string(kRsaMinBits) + " to " + std::to_string(kRsaMaxBits) +
                 " bits, got " + std::to_string(bits));
    BIGNUM* e = nullptr;
    if (EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) ThrowOpenSslError("RSA public exponent");
    BignumPtr exponent(e);
    if (!BN_is_odd(e) || BN_is_one(e) || BN_num_bits(e) > kRsaMaxExponentBits)
      InvalidKey("RSA public exponent must be odd, from 3 to 2^" + std::to_string(kRsaMaxExponentBits) + " - 1");
  } else if (EVP_PKEY_is_a(pkey_.get(), "EC")) {
    type_ = KeyType::kEcP256;
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey_.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1 ||
        std::strcmp(group, "prime256v1") != 0)
      InvalidKey("EC key must be on curve P-256");
  } else {
    ClearOpenSslErrors();
    throw Error(code::kUnsupportedAlgorithm, "key must be RSA or EC P-256");
  }
  if (has_private_) CheckPrivateMatchesPublic();
}

void AsymmetricKey::CheckPrivateMatchesPublic() const {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  if (!ctx) ThrowOpenSslError("key check context");
  if (type_ == KeyType::kEcP256) {
    // Cheap for EC: one point multiplication, d * G == Q.
    if (EVP_PKEY_pairwise_check(ctx.get()) != 1) InvalidKey("private key does not match its public key");
    return;
  }
  // For RSA, OpenSSL's pairwise check runs primality tests on p and q (about 50 ms for
  // RSA-2048, seconds for large keys: a cost an attacker-chosen key could impose). Instead:
  // the CRT members must agree with n and d (a few bignum operations), and the private half
  // must make a signature the public half accepts.
  if (!RsaMembersAgree(pkey_.get())) InvalidKey("private key does not match its public key");
  static const uint8_t kDigest[32] = {0x6f, 0x70, 0x65, 0x6e, 0x72, 0x6d, 0x73};
  size_t sig_len = static_cast<size_t>(EVP_PKEY_get_size(pkey_.get()));
  std::vector<uint8_t> sig(sig_len);
  bool ok = EVP_PKEY_sign_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
            EVP_PKEY_CTX_set_signature_md(ctx.get(), Sha256()) == 1 &&
            EVP_PKEY_sign(ctx.get(), sig.data(), &sig_len, kDigest, sizeof kDigest) == 1 &&
            EVP_PKEY_verify_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
            EVP_PKEY_CTX_set_signature_md(ctx.get(), Sha256()) == 1 &&
            EVP_PKEY_verify(ctx.get(), sig.data(), sig_len, kDigest, sizeof kDigest) == 1;
  if (!ok) InvalidKey("private key does not match its public key");
}

AsymmetricKey AsymmetricKey::GenerateRsa(int bits) {
  if (bits != 2048 && bits != 3072 && bits != 4096)
    throw Error(code::kInvalidArgument, "RSA modulus length must be 2048, 3072 or 4096, got " + std::to_string(bits));
  InitializeLibcrypto();
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1)
    ThrowOpenSslError("RSA key generation setup");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) ThrowOpenSslError("RSA key generation");
  return AsymmetricKey(PkeyPtr(raw), true);
}

// A P-256 key kept for its parameters only: a generation context made from it skips what
// EVP_PKEY_Q_keygen does on every call (fetching the key manager, naming the curve), which was
// more than half the cost of a key (38 us against 15 here). Every ECDH-ES wrap makes one.
namespace {
const EVP_PKEY* P256Parameters() {
  static EVP_PKEY* const parameters = [] {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (key == nullptr) ThrowOpenSslError("EC key generation");
    return key;
  }();
  return parameters;
}
}  // namespace

AsymmetricKey AsymmetricKey::GenerateEcP256() {
  InitializeLibcrypto();
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(P256Parameters()), nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) ThrowOpenSslError("EC key generation");
  return AsymmetricKey(PkeyPtr(raw), true);
}

AsymmetricKey AsymmetricKey::FromPem(ByteView pem) {
  InitializeLibcrypto();
  // BIO_new_mem_buf fails on a null buffer (an empty input) and takes an int length in which
  // -1 means "read up to a NUL": neither an empty nor an oversized input can be a PEM key.
  if (pem.size == 0 || pem.size > static_cast<size_t>(INT_MAX)) InvalidKey("not a PEM key");
  BioPtr bio(BIO_new_mem_buf(pem.data, static_cast<int>(pem.size)));
  if (!bio) ThrowOpenSslError("PEM buffer");
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) InvalidKey("not a PEM key");
  std::string label(name);
  OPENSSL_free(name);
  OPENSSL_free(header);
  ByteView der(data, static_cast<size_t>(len));
  PkeyPtr key;
  bool is_private = false;
  if (label == "PUBLIC KEY") {
    key = ParsePublicDer(der);
  } else if (label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY") {
    key = ParsePrivateDer(der);
    is_private = true;
  }
  OPENSSL_clear_free(data, static_cast<size_t>(len));
  if (label == "ENCRYPTED PRIVATE KEY") InvalidKey("encrypted PEM keys are not supported; decrypt the key first");
  if (!key) InvalidKey("PEM block \"" + label + "\" is not a valid SPKI public key or PKCS#8 private key");
  return AsymmetricKey(std::move(key), is_private);
}

AsymmetricKey AsymmetricKey::FromDer(ByteView der) {
  InitializeLibcrypto();
  if (PkeyPtr key = ParsePublicDer(der)) return AsymmetricKey(std::move(key), false);
  ClearOpenSslErrors();
  if (PkeyPtr key = ParsePrivateDer(der)) return AsymmetricKey(std::move(key), true);
  InvalidKey("DER is not a valid SPKI public key or PKCS#8 private key");
}

AsymmetricKey AsymmetricKey::FromRsaComponents(const RsaComponents& c) {
  InitializeLibcrypto();
  bool is_private = c.d.size() > 0;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) ThrowOpenSslError("param builder");
  // The builder keeps pointers to these numbers until FromParams has run.
  BignumPtr n = ToBignum(c.n, "n"), e = ToBignum(c.e, "e");
  BignumPtr d, p, q, dp, dq, qi;
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  if (is_private) {
    d = ToBignum(c.d.view(), "d");
    p = ToBignum(c.p.view(), "p");
    q = ToBignum(c.q.view(), "q");
    dp = ToBignum(c.dp.view(), "dp");
    dq = ToBignum(c.dq.view(), "dq");
    qi = ToBignum(c.qi.view(), "qi");
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi.get());
  }
  return AsymmetricKey(FromParams("RSA", is_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get()), is_private);
}

AsymmetricKey AsymmetricKey::FromEcComponents(const EcComponents& c) {
  InitializeLibcrypto();
  if (c.x.size() != kP256FieldSize || c.y.size() != kP256FieldSize)
    InvalidKey("P-256 x and y must be 32 bytes each");
  bool is_private = c.d.size() > 0;
  if (is_private && c.d.size() != kP256FieldSize) InvalidKey("P-256 d must be 32 bytes");
  // SEC 1 uncompressed point: 0x04 || x || y.
  uint8_t point[1 + 2 * kP256FieldSize];
  point[0] = 0x04;
  std::memcpy(point + 1, c.x.data(), kP256FieldSize);
  std::memcpy(point + 1 + kP256FieldSize, c.y.data(), kP256FieldSize);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) ThrowOpenSslError("param builder");
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
  BignumPtr d;
  if (is_private) {
    d = ToBignum(c.d.view(), "d");
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get());
  }
  return AsymmetricKey(FromParams("EC", is_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld.get()), is_private);
}

std::string AsymmetricKey::ToPem(bool include_private) const {
  if (include_private && !has_private_) throw Error(code::kInvalidKey, "this is a public key");
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) ThrowOpenSslError("PEM buffer");
  int ok = include_private ? PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr)
                           : PEM_write_bio_PUBKEY(bio.get(), pkey_.get());
  if (ok != 1) ThrowOpenSslError("PEM export");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::vector<uint8_t> AsymmetricKey::ToDer(bool include_private) const {
  if (include_private && !has_private_) throw Error(code::kInvalidKey, "this is a public key");
  unsigned char* der = nullptr;
  int len = 0;
  if (include_private) {
    // PKCS#8 PrivateKeyInfo.
    PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(pkey_.get());
    if (info == nullptr) ThrowOpenSslError("PKCS#8 export");
    len = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
    PKCS8_PRIV_KEY_INFO_free(info);
  } else {
    len = i2d_PUBKEY(pkey_.get(), &der);
  }
  if (len <= 0) ThrowOpenSslError("DER export");
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

RsaComponents AsymmetricKey::ToRsaComponents(bool include_private) const {
  if (type_ != KeyType::kRsa) throw Error(code::kInvalidKey, "not an RSA key");
  if (include_private && !has_private_) throw Error(code::kInvalidKey, "this is a public key");
  RsaComponents c;
  c.n = BignumParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_N, 0);
  c.e = BignumParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_E, 0);
  if (include_private) {
    c.d = SecretBignumParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_D, 0);
    c.p = SecretBignumParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, 0);
    c.q = SecretBignumParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, 0);
    c.dp = SecretBignumParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, 0);
    c.dq = SecretBignumParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, 0);
    c.qi = SecretBignumParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0);
  }
  return c;
}

EcComponents AsymmetricKey::ToEcComponents(bool include_private) const {
  if (type_ != KeyType::kEcP256) throw Error(code::kInvalidKey, "not an EC key");
  if (include_private && !has_private_) throw Error(code::kInvalidKey, "this is a public key");
  EcComponents c;
  c.x = BignumParam(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256FieldSize);
  c.y = BignumParam(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256FieldSize);
  if (include_private) c.d = SecretBignumParam(pkey_.get(), OSSL_PKEY_PARAM_PRIV_KEY, kP256FieldSize);
  return c;
}

int AsymmetricKey::bits() const { return EVP_PKEY_get_bits(pkey_.get()); }

}  // namespace openrms::core
