#include "core/sector_cipher.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "core_error_code.h"

// The Microsoft known-answer vectors are checked from TypeScript (test/format), which reads
// test/fixtures/cipher-modes/vectors.json; these tests pin the constructions themselves.
namespace openrms::test {
namespace {

namespace code = core::code;
using core::Padding;
using core::SectorCipher;
using core::SectorMode;

const std::vector<uint8_t> kKey(32, 0x42);

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + 3);
  return v;
}

std::vector<uint8_t> EncryptAll(SectorMode mode, const std::vector<uint8_t>& plaintext) {
  SectorCipher cipher(mode, kKey);
  std::vector<uint8_t> out(SectorCipher::CiphertextSize(mode, plaintext.size()));
  size_t n = cipher.EncryptSectors(plaintext, 0, SectorCipher::SectorCount(mode, plaintext.size(), false), out);
  out.resize(n);
  return out;
}

std::vector<uint8_t> DecryptAll(SectorMode mode, const std::vector<uint8_t>& ciphertext) {
  SectorCipher cipher(mode, kKey);
  std::vector<uint8_t> out(ciphertext.size());
  size_t n = cipher.DecryptSectors(ciphertext, 0, SectorCipher::SectorCount(mode, ciphertext.size(), true), out);
  out.resize(n);
  return out;
}

// Sector i of CBC4K is plain AES-CBC under IV = AES-ECB(K, LE32(i) || 0^12).
TEST(SectorCipher, Cbc4kSectorIsCbcUnderEcbOfLittleEndianSectorNumber) {
  std::vector<uint8_t> plaintext = Pattern(3 * 4096);
  std::vector<uint8_t> ciphertext = EncryptAll(SectorMode::kCbc4k, plaintext);
  ASSERT_EQ(ciphertext.size(), plaintext.size() + 16);  // exact multiple: one padding block
  core::AesEcb ecb(kKey);
  core::AesCbc cbc(kKey);
  std::vector<uint8_t> counter(16, 0), iv(16);
  counter[0] = 2;
  ecb.Encrypt(counter, iv);
  std::vector<uint8_t> sector(plaintext.begin() + 2 * 4096, plaintext.begin() + 3 * 4096), expected(4096);
  cbc.Encrypt(iv, sector, expected, Padding::kNone);
  EXPECT_EQ(std::vector<uint8_t>(ciphertext.begin() + 2 * 4096, ciphertext.begin() + 3 * 4096), expected);
}

// CBC512 uses the byte offset i * 512 as a little-endian 64-bit counter.
TEST(SectorCipher, Cbc512SectorIvIsEcbOfLittleEndianByteOffset) {
  std::vector<uint8_t> plaintext = Pattern(2 * 512);
  std::vector<uint8_t> ciphertext = EncryptAll(SectorMode::kCbc512NoPadding, plaintext);
  ASSERT_EQ(ciphertext.size(), plaintext.size());
  core::AesEcb ecb(kKey);
  core::AesCbc cbc(kKey);
  std::vector<uint8_t> counter(16, 0), iv(16), expected(512);
  counter[1] = 0x02;  // 512 = 0x0200, little-endian
  ecb.Encrypt(counter, iv);
  std::vector<uint8_t> sector(plaintext.begin() + 512, plaintext.end());
  cbc.Encrypt(iv, sector, expected, Padding::kNone);
  EXPECT_EQ(std::vector<uint8_t>(ciphertext.begin() + 512, ciphertext.end()), expected);
}

TEST(SectorCipher, RoundTripsAroundEverySectorBoundary) {
  for (SectorMode mode : {SectorMode::kCbc4k, SectorMode::kCbc512NoPadding}) {
    size_t block = SectorCipher::BlockSize(mode);
    for (size_t base : {size_t{0}, block, 3 * block}) {
      for (long delta : {-17L, -16L, -1L, 0L, 1L, 16L}) {
        if (static_cast<long>(base) + delta < 0) continue;
        size_t n = static_cast<size_t>(static_cast<long>(base) + delta);
        if (mode != SectorMode::kCbc4k && n % 16 != 0) continue;
        std::vector<uint8_t> plaintext = Pattern(n);
        EXPECT_EQ(DecryptAll(mode, EncryptAll(mode, plaintext)), plaintext) << "mode " << static_cast<int>(mode) << " size " << n;
      }
    }
  }
}

TEST(SectorCipher, SectorRangesComposeToTheWholeMessage) {
  std::vector<uint8_t> plaintext = Pattern(10 * 4096 + 100);
  std::vector<uint8_t> whole = EncryptAll(SectorMode::kCbc4k, plaintext);
  SectorCipher cipher(SectorMode::kCbc4k, kKey);
  std::vector<uint8_t> pieces(whole.size());
  size_t total = SectorCipher::SectorCount(SectorMode::kCbc4k, plaintext.size(), false);
  size_t written = cipher.EncryptSectors(plaintext, 4, total - 4, pieces) + cipher.EncryptSectors(plaintext, 0, 4, pieces);
  EXPECT_EQ(written, whole.size());
  EXPECT_EQ(pieces, whole);
}

TEST(SectorCipher, RefusesMisalignedBlocksWithNotBlockAligned) {
  SectorCipher cipher(SectorMode::kCbc4k, kKey);
  std::vector<uint8_t> out(8192);
  std::vector<uint8_t> short_block(4000), full(4096), odd(100);
  EXPECT_EQ(CoreErrorCode([&] { cipher.EncryptBlock(0, false, short_block, out); }), code::kNotBlockAligned);
  EXPECT_EQ(CoreErrorCode([&] { cipher.EncryptBlock(0, true, full, out); }), code::kNotBlockAligned);
  EXPECT_EQ(CoreErrorCode([&] { cipher.DecryptBlock(0, true, odd, out); }), code::kNotBlockAligned);
  SectorCipher cbc512(SectorMode::kCbc512NoPadding, kKey);
  EXPECT_EQ(CoreErrorCode([&] { cbc512.EncryptSectors(odd, 0, 1, out); }), code::kNotBlockAligned);
}

TEST(SectorCipher, EcbIsDecryptionOnly) {
  SectorCipher cipher(SectorMode::kEcb, kKey);
  std::vector<uint8_t> block(16), out(16);
  EXPECT_EQ(CoreErrorCode([&] { cipher.EncryptBlock(0, true, block, out); }), code::kUnsupportedAlgorithm);
  EXPECT_EQ(cipher.DecryptBlock(0, true, block, out), 16u);
}

TEST(SectorCipher, RefusesACbc4kSectorNumberBeyond32Bits) {
  SectorCipher cipher(SectorMode::kCbc4k, kKey);
  std::vector<uint8_t> block(4096), out(4096);
  EXPECT_EQ(CoreErrorCode([&] { cipher.EncryptBlock(0x100000000ULL, false, block, out); }), code::kInvalidArgument);
}

TEST(SectorCipher, BadFinalPaddingIsDecryptionFailed) {
  std::vector<uint8_t> ciphertext = EncryptAll(SectorMode::kCbc4k, Pattern(100));
  ciphertext.back() ^= 0x55;
  EXPECT_EQ(CoreErrorCode([&] { DecryptAll(SectorMode::kCbc4k, ciphertext); }), code::kDecryptionFailed);
}

}  // namespace
}  // namespace openrms::test
