#include "core/asymmetric_key.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/error.h"
#include "core_error_code.h"
#include "hex.h"
#include "test_keys.h"

namespace openrms::test {
namespace {

namespace code = core::code;
using core::AsymmetricKey;

// Keys the core must refuse are made here with OpenSSL directly, since the core cannot make
// them.
core::PkeyPtr GenerateWithOpenSsl(const char* type, const char* curve_or_null, size_t rsa_bits = 0) {
  EVP_PKEY* key = curve_or_null != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve_or_null)
                  : rsa_bits != 0          ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, rsa_bits)
                                           : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  if (key == nullptr) throw std::runtime_error(std::string("cannot generate test key of type ") + type);
  return core::PkeyPtr(key);
}

std::string ReadBio(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string PublicPem(EVP_PKEY* key) {
  core::BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key) != 1) throw std::runtime_error("PEM_write_bio_PUBKEY");
  return ReadBio(bio.get());
}

std::string Pkcs8Pem(EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr, const char* passphrase = nullptr) {
  core::BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key, cipher, nullptr, 0, nullptr, const_cast<char*>(passphrase)) != 1)
    throw std::runtime_error("PEM_write_bio_PKCS8PrivateKey");
  return ReadBio(bio.get());
}

std::string TraditionalPem(EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr, const char* passphrase = nullptr) {
  core::BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey_traditional(bio.get(), key, cipher, nullptr, 0, nullptr,
                                           const_cast<char*>(passphrase)) != 1)
    throw std::runtime_error("PEM_write_bio_PrivateKey_traditional");
  return ReadBio(bio.get());
}

std::vector<uint8_t> PublicDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) throw std::runtime_error("i2d_PUBKEY");
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

AsymmetricKey ImportPem(const std::string& pem) {
  return AsymmetricKey::FromPem(core::ByteView(reinterpret_cast<const uint8_t*>(pem.data()), pem.size()));
}

bool StartsWith(const std::string& text, const std::string& prefix) { return text.compare(0, prefix.size(), prefix) == 0; }

TEST(AsymmetricKey, GeneratesRsa2048KeyPair) {
  const AsymmetricKey& key = RsaKey();
  EXPECT_EQ(key.type(), core::KeyType::kRsa);
  EXPECT_EQ(key.bits(), 2048);
  EXPECT_TRUE(key.has_private());
  EXPECT_NE(RsaKey().ToDer(false), OtherRsaKey().ToDer(false));
}

TEST(AsymmetricKey, GeneratesEcP256KeyPair) {
  const AsymmetricKey& key = EcKey();
  EXPECT_EQ(key.type(), core::KeyType::kEcP256);
  EXPECT_EQ(key.bits(), 256);
  EXPECT_TRUE(key.has_private());
  EXPECT_NE(EcKey().ToDer(false), OtherEcKey().ToDer(false));
}

TEST(AsymmetricKey, RefusesToGenerateRsaOfUnsupportedSizeWithInvalidArgument) {
  EXPECT_EQ(CoreErrorCode([] { AsymmetricKey::GenerateRsa(1024); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([] { AsymmetricKey::GenerateRsa(2047); }), code::kInvalidArgument);
}

class AsymmetricKeyRoundTrip : public ::testing::TestWithParam<core::KeyType> {
 protected:
  const AsymmetricKey& key() const { return GetParam() == core::KeyType::kRsa ? RsaKey() : EcKey(); }
};

TEST_P(AsymmetricKeyRoundTrip, PrivatePemIsPkcs8AndImportsToTheSameKey) {
  std::string pem = key().ToPem(true);
  EXPECT_TRUE(StartsWith(pem, "-----BEGIN PRIVATE KEY-----\n")) << pem.substr(0, 40);
  AsymmetricKey imported = ImportPem(pem);
  EXPECT_TRUE(imported.has_private());
  EXPECT_EQ(imported.type(), GetParam());
  EXPECT_EQ(imported.ToDer(true), key().ToDer(true));
}

TEST_P(AsymmetricKeyRoundTrip, PublicPemIsSpkiAndImportsAsPublicOnly) {
  std::string pem = key().ToPem(false);
  EXPECT_TRUE(StartsWith(pem, "-----BEGIN PUBLIC KEY-----\n")) << pem.substr(0, 40);
  AsymmetricKey imported = ImportPem(pem);
  EXPECT_FALSE(imported.has_private());
  EXPECT_EQ(imported.ToDer(false), key().ToDer(false));
  EXPECT_EQ(imported.ToPem(false), pem);
}

TEST_P(AsymmetricKeyRoundTrip, DerImportsToTheSameKey) {
  AsymmetricKey private_key = AsymmetricKey::FromDer(key().ToDer(true));
  EXPECT_TRUE(private_key.has_private());
  EXPECT_EQ(private_key.ToDer(true), key().ToDer(true));
  AsymmetricKey public_key = AsymmetricKey::FromDer(key().ToDer(false));
  EXPECT_FALSE(public_key.has_private());
  EXPECT_EQ(public_key.ToDer(false), key().ToDer(false));
}

TEST_P(AsymmetricKeyRoundTrip, TraditionalPemImportsAsPrivateKey) {
  std::string pem = TraditionalPem(key().pkey());
  EXPECT_TRUE(StartsWith(pem, GetParam() == core::KeyType::kRsa ? "-----BEGIN RSA PRIVATE KEY-----"
                                                                 : "-----BEGIN EC PRIVATE KEY-----"));
  AsymmetricKey imported = ImportPem(pem);
  EXPECT_TRUE(imported.has_private());
  EXPECT_EQ(imported.ToDer(false), key().ToDer(false));
}

TEST_P(AsymmetricKeyRoundTrip, PublicKeyRefusesPrivateExportWithInvalidKey) {
  AsymmetricKey public_key = PublicHalf(key());
  EXPECT_EQ(CoreErrorCode([&] { public_key.ToPem(true); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([&] { public_key.ToDer(true); }), code::kInvalidKey);
  if (GetParam() == core::KeyType::kRsa)
    EXPECT_EQ(CoreErrorCode([&] { public_key.ToRsaComponents(true); }), code::kInvalidKey);
  else
    EXPECT_EQ(CoreErrorCode([&] { public_key.ToEcComponents(true); }), code::kInvalidKey);
}

TEST_P(AsymmetricKeyRoundTrip, RefusesEncryptedPemWithInvalidKey) {
  std::string pkcs8 = Pkcs8Pem(key().pkey(), EVP_aes_256_cbc(), "passphrase");
  ASSERT_TRUE(StartsWith(pkcs8, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(pkcs8); }), code::kInvalidKey);
  // The traditional form keeps its label and says "Proc-Type: 4,ENCRYPTED" in a header.
  std::string traditional = TraditionalPem(key().pkey(), EVP_aes_128_cbc(), "passphrase");
  ASSERT_NE(traditional.find("ENCRYPTED"), std::string::npos);
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(traditional); }), code::kInvalidKey);
}

INSTANTIATE_TEST_SUITE_P(AsymmetricKey, AsymmetricKeyRoundTrip, ::testing::Values(core::KeyType::kRsa, core::KeyType::kEcP256),
                         [](const ::testing::TestParamInfo<core::KeyType>& info) {
                           return info.param == core::KeyType::kRsa ? "Rsa" : "EcP256";
                         });

TEST(AsymmetricKey, RsaComponentsRoundTripPrivateAndPublic) {
  core::RsaComponents c = RsaKey().ToRsaComponents(true);
  EXPECT_EQ(c.n.size(), 256u);
  EXPECT_EQ(ToHex(c.e), "010001");
  EXPECT_GT(c.d.size(), 0u);
  AsymmetricKey imported = AsymmetricKey::FromRsaComponents(c);
  EXPECT_TRUE(imported.has_private());
  EXPECT_EQ(imported.ToDer(true), RsaKey().ToDer(true));

  core::RsaComponents public_only = RsaKey().ToRsaComponents(false);
  EXPECT_EQ(public_only.d.size(), 0u);
  AsymmetricKey public_key = AsymmetricKey::FromRsaComponents(public_only);
  EXPECT_FALSE(public_key.has_private());
  EXPECT_EQ(public_key.ToDer(false), RsaKey().ToDer(false));
}

TEST(AsymmetricKey, EcComponentsAre32BytesAndRoundTrip) {
  core::EcComponents c = EcKey().ToEcComponents(true);
  EXPECT_EQ(c.x.size(), 32u);
  EXPECT_EQ(c.y.size(), 32u);
  EXPECT_EQ(c.d.size(), 32u);
  AsymmetricKey imported = AsymmetricKey::FromEcComponents(c);
  EXPECT_TRUE(imported.has_private());
  EXPECT_EQ(imported.ToDer(true), EcKey().ToDer(true));

  AsymmetricKey public_key = AsymmetricKey::FromEcComponents(EcKey().ToEcComponents(false));
  EXPECT_FALSE(public_key.has_private());
  EXPECT_EQ(public_key.ToDer(false), EcKey().ToDer(false));
}

TEST(AsymmetricKey, ComponentsOfTheOtherKeyTypeAreRefusedWithInvalidKey) {
  EXPECT_EQ(CoreErrorCode([] { RsaKey().ToEcComponents(false); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([] { EcKey().ToRsaComponents(false); }), code::kInvalidKey);
}

TEST(AsymmetricKey, RefusesPrivateComponentsThatDoNotMatchThePublicKeyWithInvalidKey) {
  core::RsaComponents rsa = RsaKey().ToRsaComponents(true);
  core::RsaComponents other_rsa = OtherRsaKey().ToRsaComponents(true);
  rsa.d = std::move(other_rsa.d);
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromRsaComponents(rsa); }), code::kInvalidKey);

  core::EcComponents ec = EcKey().ToEcComponents(true);
  ec.d = core::SecretBytes(OtherEcKey().ToEcComponents(true).d.view());
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromEcComponents(ec); }), code::kInvalidKey);
}

TEST(AsymmetricKey, RefusesEcPointNotOnTheCurveWithInvalidKey) {
  core::EcComponents c;
  c.x = std::vector<uint8_t>(32, 0);
  c.y = std::vector<uint8_t>(32, 0);
  c.x[31] = 1;
  c.y[31] = 1;
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromEcComponents(c); }), code::kInvalidKey);
}

TEST(AsymmetricKey, RefusesEcComponentsOfWrongSizeWithInvalidKey) {
  core::EcComponents c = EcKey().ToEcComponents(false);
  c.x.pop_back();
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromEcComponents(c); }), code::kInvalidKey);
}

TEST(AsymmetricKey, RefusesRsaComponentsWithoutModulusWithInvalidKey) {
  core::RsaComponents c = RsaKey().ToRsaComponents(false);
  c.n.clear();
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromRsaComponents(c); }), code::kInvalidKey);
}

TEST(AsymmetricKey, RefusesRsa1024InEveryFormWithInvalidKey) {
  core::PkeyPtr weak = GenerateWithOpenSsl("RSA", nullptr, 1024);
  ASSERT_EQ(EVP_PKEY_get_bits(weak.get()), 1024);
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(PublicPem(weak.get())); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(Pkcs8Pem(weak.get())); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(TraditionalPem(weak.get())); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromDer(PublicDer(weak.get())); }), code::kInvalidKey);

  // The same modulus given as JWK components.
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(weak.get(), "n", &n), 1);
  ASSERT_EQ(EVP_PKEY_get_bn_param(weak.get(), "e", &e), 1);
  core::RsaComponents c;
  c.n.resize(static_cast<size_t>(BN_num_bytes(n)));
  c.e.resize(static_cast<size_t>(BN_num_bytes(e)));
  BN_bn2bin(n, c.n.data());
  BN_bn2bin(e, c.e.data());
  BN_free(n);
  BN_free(e);
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromRsaComponents(c); }), code::kInvalidKey);
}

TEST(AsymmetricKey, RefusesEcKeyOnAnotherCurveWithInvalidKey) {
  core::PkeyPtr p384 = GenerateWithOpenSsl("EC", "P-384");
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(PublicPem(p384.get())); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(Pkcs8Pem(p384.get())); }), code::kInvalidKey);
}

TEST(AsymmetricKey, RefusesOtherKeyTypesWithUnsupportedAlgorithm) {
  core::PkeyPtr ed25519 = GenerateWithOpenSsl("ED25519", nullptr);
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(PublicPem(ed25519.get())); }), code::kUnsupportedAlgorithm);
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromDer(PublicDer(ed25519.get())); }), code::kUnsupportedAlgorithm);
}

TEST(AsymmetricKey, RefusesGarbageDerWithInvalidKey) {
  EXPECT_EQ(CoreErrorCode([] { AsymmetricKey::FromDer(Bytes("definitely not a key")); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([] { AsymmetricKey::FromDer(Hex("3000")); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([] { AsymmetricKey::FromDer(core::ByteView()); }), code::kInvalidKey);
  // A valid key with one trailing byte is not one key.
  std::vector<uint8_t> der = EcKey().ToDer(false);
  der.push_back(0);
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromDer(der); }), code::kInvalidKey);
  // A valid key cut short.
  der = RsaKey().ToDer(true);
  der.resize(der.size() / 2);
  EXPECT_EQ(CoreErrorCode([&] { AsymmetricKey::FromDer(der); }), code::kInvalidKey);
}

TEST(AsymmetricKey, RefusesGarbagePemWithInvalidKey) {
  EXPECT_EQ(CoreErrorCode([] { ImportPem("not PEM at all"); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([] { AsymmetricKey::FromPem(core::ByteView()); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([] { ImportPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"); }),
            code::kInvalidKey);
  // A well-formed PEM block of another kind.
  std::string pem = EcKey().ToPem(false);
  const std::string label = "PUBLIC KEY";
  for (size_t at = pem.find(label); at != std::string::npos; at = pem.find(label, at + 1)) pem.replace(at, label.size(), "CERTIFICATE");
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(pem); }), code::kInvalidKey);
  // A private key under a public label.
  std::string mislabelled = EcKey().ToPem(true);
  const std::string private_label = "PRIVATE KEY";
  for (size_t at = mislabelled.find(private_label); at != std::string::npos; at = mislabelled.find(private_label, at + 1))
    mislabelled.replace(at, private_label.size(), label);
  EXPECT_EQ(CoreErrorCode([&] { ImportPem(mislabelled); }), code::kInvalidKey);
}

}  // namespace
}  // namespace openrms::test
