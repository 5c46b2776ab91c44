#include "core/aes_cbc.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "core_error_code.h"
#include "hex.h"

namespace openrms::test {
namespace {

namespace code = core::code;
using core::Padding;

// NIST SP 800-38A F.2.1 / F.2.2 (CBC-AES128) and F.1.1 (ECB-AES128).
const std::vector<uint8_t> kSp800_38aKey = Hex("2b7e151628aed2a6abf7158809cf4f3c");
const std::vector<uint8_t> kSp800_38aIv = Hex("000102030405060708090a0b0c0d0e0f");
const std::vector<uint8_t> kSp800_38aPlaintext = Hex(
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710");
const char kSp800_38aCbcCiphertext[] =
    "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
    "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7";

std::vector<uint8_t> Encrypt(core::AesCbc& cbc, const std::vector<uint8_t>& iv, const std::vector<uint8_t>& in,
                             Padding padding) {
  std::vector<uint8_t> out(core::CbcCiphertextSize(in.size(), padding));
  size_t written = cbc.Encrypt(iv, in, out, padding);
  out.resize(written);
  return out;
}

std::vector<uint8_t> Decrypt(core::AesCbc& cbc, const std::vector<uint8_t>& iv, const std::vector<uint8_t>& in,
                             Padding padding) {
  std::vector<uint8_t> out(in.size());
  size_t written = cbc.Decrypt(iv, in, out, padding);
  out.resize(written);
  return out;
}

TEST(AesCbc, MatchesSp800_38aVectorWithoutPadding) {
  core::AesCbc cbc(kSp800_38aKey);
  EXPECT_EQ(ToHex(Encrypt(cbc, kSp800_38aIv, kSp800_38aPlaintext, Padding::kNone)), kSp800_38aCbcCiphertext);
  EXPECT_EQ(Decrypt(cbc, kSp800_38aIv, Hex(kSp800_38aCbcCiphertext), Padding::kNone), kSp800_38aPlaintext);
}

// With PKCS#7 a block-aligned plaintext gains one whole block of 0x10 bytes: the vector's
// four blocks are unchanged and a fifth follows.
TEST(AesCbc, PaddingAddsAFullBlockToAlignedPlaintext) {
  core::AesCbc cbc(kSp800_38aKey);
  std::vector<uint8_t> ciphertext = Encrypt(cbc, kSp800_38aIv, kSp800_38aPlaintext, Padding::kPkcs7);
  ASSERT_EQ(ciphertext.size(), kSp800_38aPlaintext.size() + 16);
  EXPECT_EQ(ToHex(ciphertext).substr(0, 128), kSp800_38aCbcCiphertext);
  std::vector<uint8_t> raw = Decrypt(cbc, kSp800_38aIv, ciphertext, Padding::kNone);
  EXPECT_EQ(std::vector<uint8_t>(raw.end() - 16, raw.end()), std::vector<uint8_t>(16, 0x10));
}

TEST(AesCbc, RoundTripsEveryLengthAroundTheBlockSizeWithPadding) {
  core::AesCbc cbc(std::vector<uint8_t>(32, 7));
  for (size_t size : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 4096u}) {
    SCOPED_TRACE(size);
    std::vector<uint8_t> plaintext(size);
    for (size_t i = 0; i < size; ++i) plaintext[i] = static_cast<uint8_t>(i);
    std::vector<uint8_t> ciphertext = Encrypt(cbc, kSp800_38aIv, plaintext, Padding::kPkcs7);
    EXPECT_EQ(ciphertext.size(), (size / 16 + 1) * 16);
    EXPECT_EQ(Decrypt(cbc, kSp800_38aIv, ciphertext, Padding::kPkcs7), plaintext);
  }
}

// Padding is a per-call choice on a reused context: a call without padding after one with
// it must behave as on a fresh object, and the other way round.
TEST(AesCbc, PaddingChoiceDoesNotLeakBetweenCalls) {
  core::AesCbc reused(kSp800_38aKey);
  Encrypt(reused, kSp800_38aIv, Bytes("x"), Padding::kPkcs7);
  EXPECT_EQ(ToHex(Encrypt(reused, kSp800_38aIv, kSp800_38aPlaintext, Padding::kNone)), kSp800_38aCbcCiphertext);
  EXPECT_EQ(Encrypt(reused, kSp800_38aIv, kSp800_38aPlaintext, Padding::kPkcs7).size(), 80u);
  Decrypt(reused, kSp800_38aIv, Hex(kSp800_38aCbcCiphertext), Padding::kNone);
  std::vector<uint8_t> padded = Encrypt(reused, kSp800_38aIv, Bytes("abc"), Padding::kPkcs7);
  EXPECT_EQ(Decrypt(reused, kSp800_38aIv, padded, Padding::kPkcs7), Bytes("abc"));
}

TEST(AesCbc, RejectsUnalignedInputWithoutPaddingWithNotBlockAligned) {
  core::AesCbc cbc(kSp800_38aKey);
  std::vector<uint8_t> in(17), out(32);
  EXPECT_EQ(CoreErrorCode([&] { cbc.Encrypt(kSp800_38aIv, in, out, Padding::kNone); }), code::kNotBlockAligned);
  EXPECT_EQ(CoreErrorCode([&] { cbc.Decrypt(kSp800_38aIv, in, out, Padding::kNone); }), code::kNotBlockAligned);
  // A padded ciphertext is block aligned too.
  EXPECT_EQ(CoreErrorCode([&] { cbc.Decrypt(kSp800_38aIv, in, out, Padding::kPkcs7); }), code::kNotBlockAligned);
}

TEST(AesCbc, RejectsBadPaddingWithDecryptionFailedAndZeroesOutput) {
  core::AesCbc cbc(kSp800_38aKey);
  // Last plaintext bytes 0x00 and 0x11 are never valid PKCS#7 for 16-byte blocks; 0x02 0x03
  // claims two bytes of padding that do not match.
  for (const char* last_block : {"000102030405060708090a0b0c0d0e00", "000102030405060708090a0b0c0d0e11",
                                 "000102030405060708090a0b0c0d0302"}) {
    SCOPED_TRACE(last_block);
    std::vector<uint8_t> ciphertext = Encrypt(cbc, kSp800_38aIv, Hex(last_block), Padding::kNone);
    std::vector<uint8_t> out(ciphertext.size(), 0xAA);
    EXPECT_EQ(CoreErrorCode([&] { cbc.Decrypt(kSp800_38aIv, ciphertext, out, Padding::kPkcs7); }),
              code::kDecryptionFailed);
    EXPECT_EQ(out, std::vector<uint8_t>(out.size(), 0));
  }
}

TEST(AesCbc, RejectsEmptyCiphertextWithPaddingWithDecryptionFailed) {
  core::AesCbc cbc(kSp800_38aKey);
  std::vector<uint8_t> out(16);
  EXPECT_EQ(CoreErrorCode([&] { cbc.Decrypt(kSp800_38aIv, core::ByteView(), out, Padding::kPkcs7); }),
            code::kDecryptionFailed);
}

TEST(AesCbc, EncryptsEmptyInputWithoutPaddingToNothing) {
  core::AesCbc cbc(kSp800_38aKey);
  EXPECT_EQ(cbc.Encrypt(kSp800_38aIv, core::ByteView(), core::MutableByteView(), Padding::kNone), 0u);
  EXPECT_EQ(cbc.Decrypt(kSp800_38aIv, core::ByteView(), core::MutableByteView(), Padding::kNone), 0u);
}

TEST(AesCbc, RejectsOutputTooSmallWithInvalidArgument) {
  core::AesCbc cbc(kSp800_38aKey);
  std::vector<uint8_t> in(32), exact(32), ciphertext(48);
  // With padding 32 bytes need 48 bytes of output.
  EXPECT_EQ(CoreErrorCode([&] { cbc.Encrypt(kSp800_38aIv, in, exact, Padding::kPkcs7); }), code::kInvalidArgument);
  std::vector<uint8_t> small(31);
  EXPECT_EQ(CoreErrorCode([&] { cbc.Encrypt(kSp800_38aIv, in, small, Padding::kNone); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { cbc.Decrypt(kSp800_38aIv, ciphertext, exact, Padding::kPkcs7); }),
            code::kInvalidArgument);
}

TEST(AesCbc, RejectsIvOtherThan16BytesWithInvalidArgument) {
  core::AesCbc cbc(kSp800_38aKey);
  std::vector<uint8_t> in(16), out(32), iv15(15), iv17(17);
  EXPECT_EQ(CoreErrorCode([&] { cbc.Encrypt(iv15, in, out, Padding::kNone); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { cbc.Decrypt(iv17, in, out, Padding::kNone); }), code::kInvalidArgument);
}

TEST(AesCbc, RejectsKeyOfInvalidSizeWithInvalidKey) {
  for (size_t size : {0u, 15u, 20u, 33u}) {
    SCOPED_TRACE(size);
    EXPECT_EQ(CoreErrorCode([&] { core::AesCbc cbc(std::vector<uint8_t>(size, 1)); }), code::kInvalidKey);
  }
}

TEST(AesCbc, CiphertextSizeAddsOneToSixteenBytesOnlyWithPadding) {
  EXPECT_EQ(core::CbcCiphertextSize(0, Padding::kPkcs7), 16u);
  EXPECT_EQ(core::CbcCiphertextSize(15, Padding::kPkcs7), 16u);
  EXPECT_EQ(core::CbcCiphertextSize(16, Padding::kPkcs7), 32u);
  EXPECT_EQ(core::CbcCiphertextSize(4096, Padding::kNone), 4096u);
}

// FIPS-197 appendix C.1 (AES-128), C.2 (AES-192) and C.3 (AES-256).
struct Fips197Vector {
  const char* key;
  const char* ciphertext;
};

class AesEcbFips197 : public ::testing::TestWithParam<Fips197Vector> {};

TEST_P(AesEcbFips197, EncryptsAndDecryptsTheKnownAnswer) {
  const std::vector<uint8_t> plaintext = Hex("00112233445566778899aabbccddeeff");
  core::AesEcb ecb(Hex(GetParam().key));
  std::vector<uint8_t> out(16);
  ecb.Encrypt(plaintext, out);
  EXPECT_EQ(ToHex(out), GetParam().ciphertext);
  std::vector<uint8_t> back(16);
  ecb.Decrypt(out, back);
  EXPECT_EQ(back, plaintext);
}

INSTANTIATE_TEST_SUITE_P(
    AesEcb, AesEcbFips197,
    ::testing::Values(
        Fips197Vector{"000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"},
        Fips197Vector{"000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191"},
        Fips197Vector{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                      "8ea2b7ca516745bfeafc49904b496089"}),
    [](const ::testing::TestParamInfo<Fips197Vector>& info) {
      return "Aes" + std::to_string(Hex(info.param.key).size() * 8);
    });

TEST(AesEcb, EncryptsEachBlockIndependentlyInPlace) {
  core::AesEcb ecb(kSp800_38aKey);
  // SP 800-38A F.1.1 ECB-AES128.Encrypt.
  std::vector<uint8_t> buffer = kSp800_38aPlaintext;
  ecb.Encrypt(buffer, buffer);
  EXPECT_EQ(ToHex(buffer),
            "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
            "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4");
  ecb.Decrypt(buffer, buffer);
  EXPECT_EQ(buffer, kSp800_38aPlaintext);
}

TEST(AesEcb, RejectsUnalignedInputWithNotBlockAligned) {
  core::AesEcb ecb(kSp800_38aKey);
  std::vector<uint8_t> in(20), out(32);
  EXPECT_EQ(CoreErrorCode([&] { ecb.Encrypt(in, out); }), code::kNotBlockAligned);
  EXPECT_EQ(CoreErrorCode([&] { ecb.Decrypt(in, out); }), code::kNotBlockAligned);
}

TEST(AesEcb, RejectsOutputTooSmallWithInvalidArgument) {
  core::AesEcb ecb(kSp800_38aKey);
  std::vector<uint8_t> in(32), out(16);
  EXPECT_EQ(CoreErrorCode([&] { ecb.Encrypt(in, out); }), code::kInvalidArgument);
}

}  // namespace
}  // namespace openrms::test
