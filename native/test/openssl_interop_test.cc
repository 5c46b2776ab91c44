// The core's signatures and key wraps checked against OpenSSL's own high-level API, set up
// here independently with the parameters the JWS / JWE specifications name. Round trips
// through the core alone cannot see a mistake made the same way on both sides (a wrong PSS
// salt length, MGF1 over the wrong hash, r and s swapped).
#include <gtest/gtest.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <vector>

#include "core/rsa_oaep.h"
#include "core/signature.h"
#include "hex.h"
#include "test_keys.h"

namespace openrms::test {
namespace {

using core::SignatureAlgorithm;

const std::vector<uint8_t> kData = Bytes("eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJpbnRlcm9wIn0");

// Configures an EVP_DigestSign/Verify context for RS256 (pss_salt < 0) or PS256 with the given
// salt length.
void ConfigureRsa(EVP_PKEY_CTX* ctx, int pss_salt) {
  bool ok = pss_salt < 0 ? EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1
                         : EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                               EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
                               EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, pss_salt) == 1;
  if (!ok) throw std::runtime_error("RSA padding setup");
}

// kNotRsa leaves the context as made (ECDSA).
constexpr int kRs256 = -1, kNotRsa = -2;

bool OpenSslVerify(EVP_PKEY* key, int rsa_mode, const std::vector<uint8_t>& data, const std::vector<uint8_t>& sig) {
  core::MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(md.get(), &pctx, EVP_sha256(), nullptr, key) != 1) throw std::runtime_error("verify init");
  if (rsa_mode != kNotRsa) ConfigureRsa(pctx, rsa_mode);
  return EVP_DigestVerify(md.get(), sig.data(), sig.size(), data.data(), data.size()) == 1;
}

std::vector<uint8_t> OpenSslSign(EVP_PKEY* key, int rsa_mode, const std::vector<uint8_t>& data) {
  core::MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(md.get(), &pctx, EVP_sha256(), nullptr, key) != 1) throw std::runtime_error("sign init");
  if (rsa_mode != kNotRsa) ConfigureRsa(pctx, rsa_mode);
  size_t len = 0;
  if (EVP_DigestSign(md.get(), nullptr, &len, data.data(), data.size()) != 1) throw std::runtime_error("sign size");
  std::vector<uint8_t> sig(len);
  if (EVP_DigestSign(md.get(), sig.data(), &len, data.data(), data.size()) != 1) throw std::runtime_error("sign");
  sig.resize(len);
  return sig;
}

std::vector<uint8_t> P1363ToDer(const std::vector<uint8_t>& p1363) {
  core::EcdsaSigPtr sig(ECDSA_SIG_new());
  ECDSA_SIG_set0(sig.get(), BN_bin2bn(p1363.data(), 32, nullptr), BN_bin2bn(p1363.data() + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::vector<uint8_t> DerToP1363(const std::vector<uint8_t>& der) {
  const unsigned char* p = der.data();
  core::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  std::vector<uint8_t> out(64);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, 32);
  return out;
}

TEST(OpenSslInterop, Rs256SignatureVerifiesAsPkcs1v15Sha256) {
  std::vector<uint8_t> sig = core::Sign(SignatureAlgorithm::kRs256, RsaKey(), kData);
  EXPECT_TRUE(OpenSslVerify(RsaKey().pkey(), kRs256, kData, sig));
  EXPECT_TRUE(core::Verify(SignatureAlgorithm::kRs256, RsaKey(), kData, OpenSslSign(RsaKey().pkey(), kRs256, kData)));
  // PKCS#1 v1.5 is deterministic: both must produce the same bytes.
  EXPECT_EQ(sig, OpenSslSign(RsaKey().pkey(), kRs256, kData));
}

// RFC 7518 3.5: PS256 uses MGF1 with SHA-256 and a salt as long as the hash, 32 bytes.
TEST(OpenSslInterop, Ps256SignatureUsesMgf1Sha256AndA32ByteSalt) {
  std::vector<uint8_t> sig = core::Sign(SignatureAlgorithm::kPs256, RsaKey(), kData);
  EXPECT_TRUE(OpenSslVerify(RsaKey().pkey(), 32, kData, sig));
  EXPECT_FALSE(OpenSslVerify(RsaKey().pkey(), 20, kData, sig));
  EXPECT_TRUE(core::Verify(SignatureAlgorithm::kPs256, RsaKey(), kData, OpenSslSign(RsaKey().pkey(), 32, kData)));
}

TEST(OpenSslInterop, Ps256RejectsSignatureWithAnotherSaltLength) {
  EXPECT_FALSE(core::Verify(SignatureAlgorithm::kPs256, RsaKey(), kData, OpenSslSign(RsaKey().pkey(), 20, kData)));
  EXPECT_FALSE(core::Verify(SignatureAlgorithm::kPs256, RsaKey(), kData, OpenSslSign(RsaKey().pkey(), 0, kData)));
}

// RFC 7518 3.4: the JWS signature is r then s, each 32 bytes big-endian.
TEST(OpenSslInterop, Es256SignatureIsROrderedBeforeS) {
  std::vector<uint8_t> sig = core::Sign(SignatureAlgorithm::kEs256, EcKey(), kData);
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_TRUE(OpenSslVerify(EcKey().pkey(), kNotRsa, kData, P1363ToDer(sig)));
  std::vector<uint8_t> swapped(sig.begin() + 32, sig.end());
  swapped.insert(swapped.end(), sig.begin(), sig.begin() + 32);
  EXPECT_FALSE(OpenSslVerify(EcKey().pkey(), kNotRsa, kData, P1363ToDer(swapped)));
  EXPECT_TRUE(core::Verify(SignatureAlgorithm::kEs256, EcKey(), kData,
                           DerToP1363(OpenSslSign(EcKey().pkey(), kNotRsa, kData))));
}

// Short r or s values (about 1 in 128 signatures has a leading zero byte) must keep their
// 32-byte slots: signing many messages makes that case come up.
TEST(OpenSslInterop, Es256PadsShortScalarsTo32Bytes) {
  int short_scalars = 0;
  for (int i = 0; i < 600; ++i) {
    std::vector<uint8_t> data = Bytes("message " + std::to_string(i));
    std::vector<uint8_t> sig = core::Sign(SignatureAlgorithm::kEs256, EcKey(), data);
    ASSERT_EQ(sig.size(), 64u);
    if (sig[0] == 0 || sig[32] == 0) {
      ++short_scalars;
      EXPECT_TRUE(OpenSslVerify(EcKey().pkey(), kNotRsa, data, P1363ToDer(sig))) << "message " << i;
    }
  }
  // P(no short scalar in 600 signatures) = (1 - 2/256)^600, about 0.9%; an unlucky run is
  // only a weaker test, not a wrong one.
  RecordProperty("short_scalars", short_scalars);
}

std::vector<uint8_t> OpenSslOaep(EVP_PKEY* key, bool encrypt, const std::vector<uint8_t>& in,
                                 const std::vector<uint8_t>& label) {
  core::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  int init = encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get());
  if (init != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1)
    throw std::runtime_error("OAEP setup");
  if (!label.empty()) {
    void* copy = OPENSSL_memdup(label.data(), label.size());
    EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy, static_cast<int>(label.size()));
  }
  size_t len = 0;
  auto run = [&](unsigned char* out, size_t* out_len) {
    return encrypt ? EVP_PKEY_encrypt(ctx.get(), out, out_len, in.data(), in.size())
                   : EVP_PKEY_decrypt(ctx.get(), out, out_len, in.data(), in.size());
  };
  if (run(nullptr, &len) != 1) throw std::runtime_error("OAEP size");
  std::vector<uint8_t> out(len);
  if (run(out.data(), &len) != 1) throw std::runtime_error("OAEP failed");
  out.resize(len);
  return out;
}

TEST(OpenSslInterop, RsaOaepWrapIsOaepWithSha256AndMgf1Sha256) {
  std::vector<uint8_t> content_key(32, 0x5C), label = Bytes("openrms");
  std::vector<uint8_t> wrapped = core::RsaOaepWrap(RsaKey(), content_key, label);
  EXPECT_EQ(OpenSslOaep(RsaKey().pkey(), false, wrapped, label), content_key);

  core::SecretBytes unwrapped = core::RsaOaepUnwrap(RsaKey(), OpenSslOaep(RsaKey().pkey(), true, content_key, label), label);
  EXPECT_EQ(std::vector<uint8_t>(unwrapped.data(), unwrapped.data() + unwrapped.size()), content_key);
}

}  // namespace
}  // namespace openrms::test
