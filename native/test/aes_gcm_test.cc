#include "core/aes_gcm.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "core_error_code.h"
#include "hex.h"

namespace openrms::test {
namespace {

namespace code = core::code;

struct Sealed {
  std::vector<uint8_t> ciphertext;
  std::vector<uint8_t> tag;
};

Sealed Seal(core::AesGcm& gcm, const std::vector<uint8_t>& iv, const std::vector<uint8_t>& aad,
            const std::vector<uint8_t>& plaintext) {
  Sealed out{std::vector<uint8_t>(plaintext.size()), std::vector<uint8_t>(core::kGcmTagSize)};
  gcm.Seal(iv, aad, plaintext, out.ciphertext, out.tag);
  return out;
}

const std::vector<uint8_t> kKey = Hex("000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f");
const std::vector<uint8_t> kIv = Hex("cafebabefacedbaddecaf888");

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 1 and 2 (AES-128, zero
// key and IV).
TEST(AesGcm, MatchesGcmSpecTestCase1ForEmptyPlaintext) {
  core::AesGcm gcm(std::vector<uint8_t>(16, 0));
  Sealed sealed = Seal(gcm, std::vector<uint8_t>(12, 0), {}, {});
  EXPECT_TRUE(sealed.ciphertext.empty());
  EXPECT_EQ(ToHex(sealed.tag), "58e2fccefa7e3061367f1d57a4e7455a");
}

TEST(AesGcm, MatchesGcmSpecTestCase2) {
  core::AesGcm gcm(std::vector<uint8_t>(16, 0));
  Sealed sealed = Seal(gcm, std::vector<uint8_t>(12, 0), {}, std::vector<uint8_t>(16, 0));
  EXPECT_EQ(ToHex(sealed.ciphertext), "0388dace60b6a392f328c2b971b2fe78");
  EXPECT_EQ(ToHex(sealed.tag), "ab6e47d42cec13bdf53a67b21257bddf");
}

// Test case 4 of the same paper: AES-128 with AAD and a 60-byte plaintext.
TEST(AesGcm, MatchesGcmSpecTestCase4WithAad) {
  core::AesGcm gcm(Hex("feffe9928665731c6d6a8f9467308308"));
  std::vector<uint8_t> plaintext = Hex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
      "b16aedf5aa0de657ba637b39");
  Sealed sealed = Seal(gcm, kIv, Hex("feedfacedeadbeeffeedfacedeadbeefabaddad2"), plaintext);
  EXPECT_EQ(ToHex(sealed.ciphertext),
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa05"
            "1ba30b396a0aac973d58e091");
  EXPECT_EQ(ToHex(sealed.tag), "5bc94fbc3221a5db94fae95ae7121a47");
}

TEST(AesGcm, OpensWhatItSealed) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> plaintext = Bytes("protected content, one segment of it");
  std::vector<uint8_t> aad = Bytes("segment 7 of file 0x1234");
  Sealed sealed = Seal(gcm, kIv, aad, plaintext);
  EXPECT_NE(sealed.ciphertext, plaintext);

  std::vector<uint8_t> opened(sealed.ciphertext.size());
  ASSERT_TRUE(gcm.Open(kIv, aad, sealed.ciphertext, sealed.tag, opened));
  EXPECT_EQ(opened, plaintext);
}

TEST(AesGcm, RoundTripsEmptyPlaintextWithNullBuffers) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> tag(core::kGcmTagSize);
  gcm.Seal(kIv, Bytes("header"), core::ByteView(), core::MutableByteView(), tag);
  EXPECT_TRUE(gcm.Open(kIv, Bytes("header"), core::ByteView(), tag, core::MutableByteView()));
  EXPECT_FALSE(gcm.Open(kIv, Bytes("other header"), core::ByteView(), tag, core::MutableByteView()));
}

TEST(AesGcm, SealsAndOpensInPlace) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> plaintext(1000);
  for (size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<uint8_t>(i * 7);
  Sealed expected = Seal(gcm, kIv, {}, plaintext);

  std::vector<uint8_t> buffer = plaintext;
  std::vector<uint8_t> tag(core::kGcmTagSize);
  gcm.Seal(kIv, {}, buffer, buffer, tag);
  EXPECT_EQ(buffer, expected.ciphertext);
  EXPECT_EQ(tag, expected.tag);

  ASSERT_TRUE(gcm.Open(kIv, {}, buffer, tag, buffer));
  EXPECT_EQ(buffer, plaintext);
}

TEST(AesGcm, RejectsFlippedTagBitAndZeroesOutput) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> plaintext = Bytes("sixteen byte msg and then some more");
  Sealed sealed = Seal(gcm, kIv, {}, plaintext);
  sealed.tag[15] ^= 0x01;
  std::vector<uint8_t> opened(sealed.ciphertext.size(), 0xAA);
  EXPECT_FALSE(gcm.Open(kIv, {}, sealed.ciphertext, sealed.tag, opened));
  EXPECT_EQ(opened, std::vector<uint8_t>(opened.size(), 0));
}

TEST(AesGcm, RejectsFlippedCiphertextBitAndZeroesOutput) {
  core::AesGcm gcm(kKey);
  Sealed sealed = Seal(gcm, kIv, {}, Bytes("a segment of content"));
  sealed.ciphertext[3] ^= 0x80;
  std::vector<uint8_t> opened(sealed.ciphertext.size(), 0xAA);
  EXPECT_FALSE(gcm.Open(kIv, {}, sealed.ciphertext, sealed.tag, opened));
  EXPECT_EQ(opened, std::vector<uint8_t>(opened.size(), 0));
}

TEST(AesGcm, RejectsOtherAadOrIv) {
  core::AesGcm gcm(kKey);
  Sealed sealed = Seal(gcm, kIv, Bytes("segment 1"), Bytes("content"));
  std::vector<uint8_t> opened(sealed.ciphertext.size());
  EXPECT_FALSE(gcm.Open(kIv, Bytes("segment 2"), sealed.ciphertext, sealed.tag, opened));
  std::vector<uint8_t> other_iv = kIv;
  other_iv[0] ^= 1;
  EXPECT_FALSE(gcm.Open(other_iv, Bytes("segment 1"), sealed.ciphertext, sealed.tag, opened));
  // A failure leaves the object usable.
  EXPECT_TRUE(gcm.Open(kIv, Bytes("segment 1"), sealed.ciphertext, sealed.tag, opened));
}

TEST(AesGcm, RejectsCiphertextUnderAnotherKey) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> other_key = kKey;
  other_key[31] ^= 1;
  core::AesGcm other(other_key);
  Sealed sealed = Seal(gcm, kIv, {}, Bytes("content"));
  std::vector<uint8_t> opened(sealed.ciphertext.size());
  EXPECT_FALSE(other.Open(kIv, {}, sealed.ciphertext, sealed.tag, opened));
}

TEST(AesGcm, AcceptsAes128192And256Keys) {
  for (size_t size : {16u, 24u, 32u}) {
    SCOPED_TRACE(size);
    core::AesGcm gcm(std::vector<uint8_t>(size, 0x42));
    Sealed sealed = Seal(gcm, kIv, {}, Bytes("content"));
    std::vector<uint8_t> opened(sealed.ciphertext.size());
    EXPECT_TRUE(gcm.Open(kIv, {}, sealed.ciphertext, sealed.tag, opened));
  }
}

TEST(AesGcm, KeysOfDifferentSizesGiveDifferentCiphertexts) {
  core::AesGcm aes128(std::vector<uint8_t>(16, 0x42));
  core::AesGcm aes256(std::vector<uint8_t>(32, 0x42));
  EXPECT_NE(Seal(aes128, kIv, {}, Bytes("content")).ciphertext, Seal(aes256, kIv, {}, Bytes("content")).ciphertext);
}

TEST(AesGcm, RejectsKeyOfInvalidSizeWithInvalidKey) {
  for (size_t size : {0u, 15u, 17u, 31u, 33u, 64u}) {
    SCOPED_TRACE(size);
    EXPECT_EQ(CoreErrorCode([&] { core::AesGcm gcm(std::vector<uint8_t>(size, 1)); }), code::kInvalidKey);
  }
}

TEST(AesGcm, RejectsEmptyIvWithInvalidArgument) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> plaintext = Bytes("content"), ciphertext(plaintext.size()), tag(16);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Seal(core::ByteView(), {}, plaintext, ciphertext, tag); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Open(core::ByteView(), {}, ciphertext, tag, plaintext); }), code::kInvalidArgument);
}

TEST(AesGcm, AcceptsIvsUpToTheMaximumAndRejectsLongerWithInvalidArgument) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> plaintext = Bytes("content"), ciphertext(plaintext.size()), tag(16), opened(plaintext.size());
  std::vector<uint8_t> longest(core::kGcmMaxIvSize, 0x5A);
  gcm.Seal(longest, {}, plaintext, ciphertext, tag);
  EXPECT_TRUE(gcm.Open(longest, {}, ciphertext, tag, opened));
  EXPECT_EQ(opened, plaintext);

  std::vector<uint8_t> too_long(core::kGcmMaxIvSize + 1, 0x5A);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Seal(too_long, {}, plaintext, ciphertext, tag); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Open(too_long, {}, ciphertext, tag, opened); }), code::kInvalidArgument);
}

// The object remembers the IV length it last set on each context; switching lengths back and
// forth must give what a fresh object gives.
TEST(AesGcm, SwitchingIvLengthsMatchesAFreshInstance) {
  core::AesGcm reused(kKey);
  std::vector<uint8_t> plaintext = Bytes("content");
  for (size_t iv_size : {12u, 16u, 1u, 12u, 64u, 12u}) {
    SCOPED_TRACE(iv_size);
    std::vector<uint8_t> iv(iv_size, 0x33);
    core::AesGcm fresh(kKey);
    Sealed expected = Seal(fresh, iv, {}, plaintext);
    Sealed actual = Seal(reused, iv, {}, plaintext);
    EXPECT_EQ(actual.ciphertext, expected.ciphertext);
    EXPECT_EQ(actual.tag, expected.tag);
    std::vector<uint8_t> opened(plaintext.size());
    EXPECT_TRUE(reused.Open(iv, {}, expected.ciphertext, expected.tag, opened));
  }
}

TEST(AesGcm, RejectsTagOtherThan16BytesWithInvalidArgument) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> plaintext = Bytes("content"), ciphertext(plaintext.size());
  std::vector<uint8_t> short_tag(12), long_tag(17);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Seal(kIv, {}, plaintext, ciphertext, short_tag); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Open(kIv, {}, ciphertext, short_tag, plaintext); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Open(kIv, {}, ciphertext, long_tag, plaintext); }), code::kInvalidArgument);
}

TEST(AesGcm, RejectsOutputOfAnotherSizeWithInvalidArgument) {
  core::AesGcm gcm(kKey);
  std::vector<uint8_t> plaintext = Bytes("content"), small(plaintext.size() - 1), large(plaintext.size() + 1), tag(16);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Seal(kIv, {}, plaintext, small, tag); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Seal(kIv, {}, plaintext, large, tag); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { gcm.Open(kIv, {}, plaintext, tag, small); }), code::kInvalidArgument);
}

}  // namespace
}  // namespace openrms::test
