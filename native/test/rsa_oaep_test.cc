#include "core/rsa_oaep.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "core_error_code.h"
#include "hex.h"
#include "test_keys.h"

namespace openrms::test {
namespace {

namespace code = core::code;

std::vector<uint8_t> ContentKey() { return Hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"); }

std::vector<uint8_t> Unwrapped(const core::SecretBytes& secret) {
  return std::vector<uint8_t>(secret.data(), secret.data() + secret.size());
}

TEST(RsaOaep, UnwrapsWhatThePublicKeyWrapped) {
  core::AsymmetricKey public_key = PublicHalf(RsaKey());
  std::vector<uint8_t> wrapped = core::RsaOaepWrap(public_key, ContentKey(), Bytes("label"));
  EXPECT_EQ(wrapped.size(), 256u);
  EXPECT_EQ(Unwrapped(core::RsaOaepUnwrap(RsaKey(), wrapped, Bytes("label"))), ContentKey());
}

TEST(RsaOaep, WrapsWithFreshRandomnessEachTime) {
  EXPECT_NE(core::RsaOaepWrap(RsaKey(), ContentKey(), {}), core::RsaOaepWrap(RsaKey(), ContentKey(), {}));
}

TEST(RsaOaep, RoundTripsEmptyAndMaximumMessages) {
  EXPECT_EQ(core::RsaOaepMaxMessageSize(RsaKey()), 256u - 2 * 32 - 2);
  std::vector<uint8_t> longest(core::RsaOaepMaxMessageSize(RsaKey()), 0x77);
  EXPECT_EQ(Unwrapped(core::RsaOaepUnwrap(RsaKey(), core::RsaOaepWrap(RsaKey(), longest, {}), {})), longest);
  EXPECT_EQ(core::RsaOaepUnwrap(RsaKey(), core::RsaOaepWrap(RsaKey(), core::ByteView(), {}), {}).size(), 0u);
}

TEST(RsaOaep, RejectsMessageLongerThanTheKeyAllowsWithInvalidArgument) {
  std::vector<uint8_t> too_long(core::RsaOaepMaxMessageSize(RsaKey()) + 1);
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepWrap(RsaKey(), too_long, {}); }), code::kInvalidArgument);
}

TEST(RsaOaep, RejectsLabelMismatchWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::RsaOaepWrap(RsaKey(), ContentKey(), Bytes("license 1"));
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(RsaKey(), wrapped, Bytes("license 2")); }), code::kDecryptionFailed);
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(RsaKey(), wrapped, {}); }), code::kDecryptionFailed);
  std::vector<uint8_t> unlabelled = core::RsaOaepWrap(RsaKey(), ContentKey(), {});
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(RsaKey(), unlabelled, Bytes("license 1")); }),
            code::kDecryptionFailed);
}

TEST(RsaOaep, RejectsTamperedOrForeignCiphertextWithDecryptionFailed) {
  std::vector<uint8_t> wrapped = core::RsaOaepWrap(RsaKey(), ContentKey(), {});
  std::vector<uint8_t> flipped = wrapped;
  flipped[100] ^= 0x04;
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(RsaKey(), flipped, {}); }), code::kDecryptionFailed);
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(OtherRsaKey(), wrapped, {}); }), code::kDecryptionFailed);
  std::vector<uint8_t> short_ciphertext(wrapped.begin(), wrapped.end() - 1);
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(RsaKey(), short_ciphertext, {}); }), code::kDecryptionFailed);
  // A value not below the modulus.
  std::vector<uint8_t> all_ones(256, 0xFF);
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(RsaKey(), all_ones, {}); }), code::kDecryptionFailed);
}

TEST(RsaOaep, RefusesUnwrapWithPublicKeyWithInvalidKey) {
  std::vector<uint8_t> wrapped = core::RsaOaepWrap(RsaKey(), ContentKey(), {});
  core::AsymmetricKey public_key = PublicHalf(RsaKey());
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(public_key, wrapped, {}); }), code::kInvalidKey);
}

TEST(RsaOaep, RefusesEcKeyWithInvalidKey) {
  EXPECT_EQ(CoreErrorCode([] { core::RsaOaepWrap(EcKey(), ContentKey(), {}); }), code::kInvalidKey);
  std::vector<uint8_t> ciphertext(256);
  EXPECT_EQ(CoreErrorCode([&] { core::RsaOaepUnwrap(EcKey(), ciphertext, {}); }), code::kInvalidKey);
}

}  // namespace
}  // namespace openrms::test
