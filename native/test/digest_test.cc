#include "core/digest.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "core_error_code.h"
#include "hex.h"

namespace openrms::test {
namespace {

namespace code = core::code;

std::string Sha256Hex(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(core::kSha256Size);
  core::Sha256Digest(data, out);
  return ToHex(out);
}

std::string HmacHex(const std::vector<uint8_t>& key, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(core::kSha256Size);
  core::HmacSha256(key, data, out);
  return ToHex(out);
}

std::vector<uint8_t> Hkdf(const std::vector<uint8_t>& ikm, const std::vector<uint8_t>& salt,
                          const std::vector<uint8_t>& info, size_t length) {
  std::vector<uint8_t> out(length);
  core::HkdfSha256(ikm, salt, info, out);
  return out;
}

// FIPS 180-2 appendix B.1 and B.2.
TEST(Sha256, MatchesFips180VectorForAbc) {
  EXPECT_EQ(Sha256Hex(Bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MatchesFips180TwoBlockVector) {
  EXPECT_EQ(Sha256Hex(Bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, HashesEmptyInputGivenAsNullView) {
  std::vector<uint8_t> out(core::kSha256Size);
  core::Sha256Digest(core::ByteView(), out);
  EXPECT_EQ(ToHex(out), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, RejectsOutputOtherThan32BytesWithInvalidArgument) {
  std::vector<uint8_t> out(31);
  EXPECT_EQ(CoreErrorCode([&] { core::Sha256Digest(Bytes("abc"), out); }), code::kInvalidArgument);
}

// RFC 4231 section 4.2 and 4.3.
TEST(HmacSha256, MatchesRfc4231TestCase1) {
  EXPECT_EQ(HmacHex(std::vector<uint8_t>(20, 0x0b), Bytes("Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacHex(Bytes("Jefe"), Bytes("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 section 4.7: a key longer than the block size is hashed first.
TEST(HmacSha256, MatchesRfc4231TestCase6WithLongKey) {
  EXPECT_EQ(HmacHex(std::vector<uint8_t>(131, 0xaa), Bytes("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, AcceptsEmptyKeyAndData) {
  // HMAC-SHA256("", "") as computed by any conforming implementation.
  EXPECT_EQ(HmacHex({}, {}), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256, VerifiesFullTag) {
  std::vector<uint8_t> key(20, 0x0b);
  std::vector<uint8_t> tag = Hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_TRUE(core::VerifyHmacSha256(key, Bytes("Hi There"), tag));
  tag[31] ^= 1;
  EXPECT_FALSE(core::VerifyHmacSha256(key, Bytes("Hi There"), tag));
}

// RFC 4231 section 4.6: truncation to 128 bits.
TEST(HmacSha256, VerifiesRfc4231TestCase5TruncatedTag) {
  std::vector<uint8_t> key(20, 0x0c);
  std::vector<uint8_t> tag = Hex("a3b6167473100ee06e0c796c2955552b");
  EXPECT_TRUE(core::VerifyHmacSha256(key, Bytes("Test With Truncation"), tag));
  tag[0] ^= 0x80;
  EXPECT_FALSE(core::VerifyHmacSha256(key, Bytes("Test With Truncation"), tag));
  EXPECT_FALSE(core::VerifyHmacSha256(key, Bytes("Test With Truncation!"), Hex("a3b6167473100ee06e0c796c2955552b")));
}

TEST(HmacSha256, RejectsTagShorterThan16OrLongerThan32BytesWithInvalidArgument) {
  std::vector<uint8_t> key(20, 0x0c);
  std::vector<uint8_t> short_tag = Hex("a3b6167473100ee06e0c796c295555");  // 15 bytes of the real MAC
  std::vector<uint8_t> long_tag(33);
  EXPECT_EQ(CoreErrorCode([&] { core::VerifyHmacSha256(key, Bytes("Test With Truncation"), short_tag); }),
            code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { core::VerifyHmacSha256(key, Bytes("Test With Truncation"), long_tag); }),
            code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { core::VerifyHmacSha256(key, Bytes("x"), core::ByteView()); }), code::kInvalidArgument);
}

// RFC 5869 appendix A.1.
TEST(HkdfSha256, MatchesRfc5869TestCase1) {
  std::vector<uint8_t> okm = Hkdf(std::vector<uint8_t>(22, 0x0b), Hex("000102030405060708090a0b0c"),
                                  Hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  EXPECT_EQ(ToHex(okm), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 5869 appendix A.3: salt and info absent (an empty salt means HashLen zero bytes).
TEST(HkdfSha256, MatchesRfc5869TestCase3WithEmptySaltAndInfo) {
  std::vector<uint8_t> okm = Hkdf(std::vector<uint8_t>(22, 0x0b), {}, {}, 42);
  EXPECT_EQ(ToHex(okm), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  EXPECT_EQ(Hkdf(std::vector<uint8_t>(22, 0x0b), std::vector<uint8_t>(32, 0), {}, 42), okm);
}

TEST(HkdfSha256, ShorterOutputIsAPrefixOfLonger) {
  std::vector<uint8_t> ikm(32, 1), info = Bytes("openrms content key");
  std::vector<uint8_t> longest = Hkdf(ikm, {}, info, core::kHkdfSha256MaxOutput);
  std::vector<uint8_t> short_okm = Hkdf(ikm, {}, info, 16);
  EXPECT_EQ(short_okm, std::vector<uint8_t>(longest.begin(), longest.begin() + 16));
}

TEST(HkdfSha256, RejectsOutputLength0And8161WithInvalidArgument) {
  std::vector<uint8_t> ikm(32, 1);
  std::vector<uint8_t> too_long(core::kHkdfSha256MaxOutput + 1);
  ASSERT_EQ(too_long.size(), 8161u);
  EXPECT_EQ(CoreErrorCode([&] { core::HkdfSha256(ikm, {}, {}, core::MutableByteView()); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { core::HkdfSha256(ikm, {}, {}, too_long); }), code::kInvalidArgument);
}

TEST(RandomBytes, FillsTheWholeBufferDifferentlyEachCall) {
  std::vector<uint8_t> a(64, 0), b(64, 0);
  core::RandomBytes(a);
  core::RandomBytes(b);
  EXPECT_NE(a, b);
  // 64 zero bytes from a working generator has probability 2^-512.
  EXPECT_NE(a, std::vector<uint8_t>(64, 0));
  core::RandomBytes(core::MutableByteView());
}

}  // namespace
}  // namespace openrms::test
