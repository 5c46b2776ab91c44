#include "core/ecdh_es.h"

#include <gtest/gtest.h>

#include <openssl/bn.h>

#include <string_view>
#include <vector>

#include "core/error.h"
#include "core_error_code.h"
#include "hex.h"
#include "test_keys.h"

namespace openrms::test {
namespace {

namespace code = core::code;

// RFC 7518 Appendix C: Bob's static key is the recipient, Alice's the ephemeral key, so Z is
// the one printed there (9e56d91d...90c4).
core::AsymmetricKey P256Key(std::string_view x, std::string_view y, std::string_view d) {
  core::EcComponents c;
  c.x = Hex(x);
  c.y = Hex(y);
  c.d = core::SecretBytes(Hex(d));
  return core::AsymmetricKey::FromEcComponents(c);
}

core::AsymmetricKey Bob() {
  return P256Key("c1e349cb61ec70248ce801034c3834e1b88ebe1161cb25af38741f785fcfc4c4",
                 "7bc96708ef80952b53f8d2555fe72b841ed04588628b1d378a594939500ec9c9",
                 "5449836690d75caf29f0dd029ddb31b3ddb8aba9d2d515c5012465e817d4a9dc");
}

core::AsymmetricKey AliceEphemeral() {
  return P256Key("808d060082c176eed3e776a4ac598cc8672c1779f974eecc9b03411ca5b9495d",
                 "48b5bfc527dfce53d6ac7115237d031ccff87a0570b77350a9e503ee7305a69b",
                 "d3f3716913d4310a0026de741b3f18893afc8114f0c84682ba677e313a13988a");
}

std::vector<uint8_t> ContentKey() { return Hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"); }
std::vector<uint8_t> Label() { return Bytes("6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f"); }

std::vector<uint8_t> Unwrapped(const core::SecretBytes& secret) {
  return std::vector<uint8_t>(secret.data(), secret.data() + secret.size());
}

std::string UnwrapCode(const core::AsymmetricKey& key, const std::vector<uint8_t>& wrapped, const std::vector<uint8_t>& label) {
  return CoreErrorCode([&] { core::EcdhEsUnwrap(key, wrapped, label); });
}

// Computed apart from this code, with node:crypto's ECDH, hkdfSync and the
// id-aes256-wrap cipher (see test/crypto/key-wrap.test.ts, which checks the same construction).
TEST(EcdhEs, MatchesTheKnownAnswerOfAnIndependentImplementation) {
  EXPECT_EQ(core::EcdhEsWrapWithEphemeral(PublicHalf(Bob()), AliceEphemeral(), ContentKey(), Label()),
            Hex("04808d060082c176eed3e776a4ac598cc8672c1779f974eecc9b03411ca5b9495d"
                "48b5bfc527dfce53d6ac7115237d031ccff87a0570b77350a9e503ee7305a69b"
                "9b1de2c2467ae80e7df7320984baa87f2be5078e947dbe9c26e4e4709418768c0425dda959dbaa1c"));
}

TEST(EcdhEs, UnwrapsWhatThePublicKeyWrappedForEveryAesKeySize) {
  core::AsymmetricKey public_key = PublicHalf(EcKey());
  const std::vector<uint8_t> content_key = ContentKey();
  for (size_t size : {16u, 24u, 32u}) {
    std::vector<uint8_t> key(content_key.begin(), content_key.begin() + static_cast<long>(size));
    std::vector<uint8_t> wrapped = core::EcdhEsWrap(public_key, key, Label());
    EXPECT_EQ(wrapped.size(), core::kP256PointSize + size + core::kAesKeyWrapOverhead);
    EXPECT_EQ(wrapped[0], 0x04);
    EXPECT_EQ(Unwrapped(core::EcdhEsUnwrap(EcKey(), wrapped, Label())), key);
  }
}

TEST(EcdhEs, WrapsWithAFreshEphemeralKeyEachTime) {
  std::vector<uint8_t> a = core::EcdhEsWrap(EcKey(), ContentKey(), {});
  std::vector<uint8_t> b = core::EcdhEsWrap(EcKey(), ContentKey(), {});
  EXPECT_NE(std::vector<uint8_t>(a.begin(), a.begin() + 65), std::vector<uint8_t>(b.begin(), b.begin() + 65));
  EXPECT_NE(a, b);
}

TEST(EcdhEs, RejectsLabelMismatchWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::EcdhEsWrap(EcKey(), ContentKey(), Bytes("license 1"));
  EXPECT_EQ(UnwrapCode(EcKey(), wrapped, Bytes("license 2")), code::kDecryptionFailed);
  EXPECT_EQ(UnwrapCode(EcKey(), wrapped, {}), code::kDecryptionFailed);
}

TEST(EcdhEs, RejectsEveryChangedBitWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::EcdhEsWrap(EcKey(), ContentKey(), Label());
  for (size_t i = 0; i < wrapped.size(); ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      std::vector<uint8_t> changed = wrapped;
      changed[i] ^= bit;
      EXPECT_EQ(UnwrapCode(EcKey(), changed, Label()), code::kDecryptionFailed) << "byte " << i << " bit " << int(bit);
    }
  }
}

TEST(EcdhEs, RejectsAnotherRecipientWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::EcdhEsWrap(EcKey(), ContentKey(), Label());
  EXPECT_EQ(UnwrapCode(OtherEcKey(), wrapped, Label()), code::kDecryptionFailed);
}

TEST(EcdhEs, RejectsEveryLengthThatFitsNoKeySizeWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::EcdhEsWrap(EcKey(), ContentKey(), Label());
  for (size_t size = 0; size < wrapped.size() + 16; ++size) {
    if (size == 65 + 24 || size == 65 + 32 || size == 65 + 40) continue;
    std::vector<uint8_t> cut(wrapped.begin(), wrapped.begin() + static_cast<long>(std::min(size, wrapped.size())));
    cut.resize(size, 0);
    EXPECT_EQ(UnwrapCode(EcKey(), cut, Label()), code::kDecryptionFailed) << size;
  }
  // RSA-OAEP's 256 bytes are not an ECDH-ES wrap.
  EXPECT_EQ(UnwrapCode(EcKey(), std::vector<uint8_t>(256, 0x04), Label()), code::kDecryptionFailed);
}

// An invalid-curve attack sends a point of a weaker curve and learns the private key from
// the answers; OpenSSL's SEC 1 decoding refuses a point off P-256 before any multiplication.
TEST(EcdhEs, RejectsAnEphemeralPointOffTheCurveWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::EcdhEsWrap(EcKey(), ContentKey(), Label());
  std::vector<uint8_t> off = wrapped;
  off[64] ^= 0x01;  // y changed by one: (x, y +- 1) is not on the curve
  EXPECT_EQ(UnwrapCode(EcKey(), off, Label()), code::kDecryptionFailed);
  std::vector<uint8_t> zero = wrapped;
  std::fill(zero.begin() + 1, zero.begin() + 65, 0);  // (0, 0) is not on P-256 (b != 0)
  EXPECT_EQ(UnwrapCode(EcKey(), zero, Label()), code::kDecryptionFailed);
}

TEST(EcdhEs, RejectsCompressedAndHybridEncodingsOfTheEphemeralPointWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::EcdhEsWrap(EcKey(), ContentKey(), Label());
  for (uint8_t form : {0x00, 0x02, 0x03, 0x06, 0x07}) {
    std::vector<uint8_t> other = wrapped;
    other[0] = form;
    EXPECT_EQ(UnwrapCode(EcKey(), other, Label()), code::kDecryptionFailed) << int(form);
  }
}

// The negated point (x, p - y) gives the same ECDH secret; the KDF's salt is the point as
// sent, so that second spelling of the wrap does not open.
TEST(EcdhEs, RejectsTheNegatedEphemeralPointWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::EcdhEsWrap(EcKey(), ContentKey(), Label());
  BIGNUM* p = nullptr;
  ASSERT_GT(BN_hex2bn(&p, "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF"), 0);
  BIGNUM* y = BN_bin2bn(wrapped.data() + 33, 32, nullptr);
  ASSERT_EQ(BN_sub(y, p, y), 1);
  ASSERT_EQ(BN_bn2binpad(y, wrapped.data() + 33, 32), 32);
  BN_free(p);
  BN_free(y);
  EXPECT_EQ(UnwrapCode(EcKey(), wrapped, Label()), code::kDecryptionFailed);
}

TEST(EcdhEs, RefusesRsaKeysAndPublicKeysForUnwrapWithInvalidKey) {
  EXPECT_EQ(CoreErrorCode([] { core::EcdhEsWrap(RsaKey(), ContentKey(), {}); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([] { core::EcdhEsWrapWithEphemeral(EcKey(), RsaKey(), ContentKey(), {}); }), code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([] { core::EcdhEsWrapWithEphemeral(EcKey(), PublicHalf(OtherEcKey()), ContentKey(), {}); }),
            code::kInvalidKey);
  std::vector<uint8_t> wrapped = core::EcdhEsWrap(EcKey(), ContentKey(), {});
  EXPECT_EQ(UnwrapCode(RsaKey(), wrapped, {}), code::kInvalidKey);
  EXPECT_EQ(UnwrapCode(PublicHalf(EcKey()), wrapped, {}), code::kInvalidKey);
}

TEST(EcdhEs, RefusesKeysAesKeyWrapCannotTakeWithInvalidArgument) {
  for (size_t size : {0u, 8u, 15u, 20u, 33u, 64u}) {
    std::vector<uint8_t> key(size, 0x11);
    EXPECT_EQ(CoreErrorCode([&] { core::EcdhEsWrap(EcKey(), key, {}); }), code::kInvalidArgument) << size;
  }
}

}  // namespace
}  // namespace openrms::test
