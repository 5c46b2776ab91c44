#include "core/segment_stream.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "core_error_code.h"

namespace openrms::test {
namespace {

namespace code = core::code;
using core::SegmentStream;

const std::vector<uint8_t> kFileKey(32, 0x11);
const std::vector<uint8_t> kDigest(32, 0x22);
constexpr size_t kSeg = 4096;

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 13 + 1);
  return v;
}

std::vector<uint8_t> Seal(const std::vector<uint8_t>& plaintext, const std::vector<uint8_t>& digest = kDigest) {
  SegmentStream s(kFileKey, digest, kSeg);
  std::vector<uint8_t> sealed(SegmentStream::SealedSize(plaintext.size(), kSeg));
  s.SealRange(plaintext, 0, SegmentStream::SegmentCount(plaintext.size(), kSeg), sealed);
  return sealed;
}

bool Open(const std::vector<uint8_t>& sealed, std::vector<uint8_t>& out, const std::vector<uint8_t>& digest = kDigest) {
  SegmentStream s(kFileKey, digest, kSeg);
  uint64_t n = SegmentStream::PlaintextSize(sealed.size(), kSeg);
  out.assign(n, 0xee);
  return s.OpenRange(sealed, 0, SegmentStream::SegmentCount(n, kSeg), out);
}

TEST(SegmentStream, SizesFollowTheSegmentLayout) {
  EXPECT_EQ(SegmentStream::SealedSize(0, kSeg), 16u);
  EXPECT_EQ(SegmentStream::SealedSize(kSeg, kSeg), kSeg + 16);
  EXPECT_EQ(SegmentStream::SealedSize(kSeg + 1, kSeg), kSeg + 1 + 32);
  for (uint64_t n : {0ul, 1ul, 4095ul, 4096ul, 4097ul, 8192ul, 10000ul})
    EXPECT_EQ(SegmentStream::PlaintextSize(SegmentStream::SealedSize(n, kSeg), kSeg), n);
  EXPECT_EQ(CoreErrorCode([] { SegmentStream::PlaintextSize(kSeg + 16 + 5, kSeg); }), code::kInvalidFormat);
  EXPECT_EQ(CoreErrorCode([] { SegmentStream::PlaintextSize(kSeg + 16 + 16, kSeg); }), code::kInvalidFormat);
}

TEST(SegmentStream, RoundTripsAroundSegmentBoundaries) {
  for (size_t n : {size_t{0}, size_t{1}, kSeg - 1, kSeg, kSeg + 1, 3 * kSeg, 3 * kSeg + 7}) {
    std::vector<uint8_t> plaintext = Pattern(n), out;
    ASSERT_TRUE(Open(Seal(plaintext), out)) << n;
    EXPECT_EQ(out, plaintext) << n;
  }
}

TEST(SegmentStream, RefusesAnotherHeaderDigestAndZeroesTheSegment) {
  std::vector<uint8_t> sealed = Seal(Pattern(100)), out;
  std::vector<uint8_t> other(32, 0x23);
  EXPECT_FALSE(Open(sealed, out, other));
  for (uint8_t b : out) EXPECT_EQ(b, 0);
}

TEST(SegmentStream, RefusesASegmentUnderTheWrongIndexOrLastFlag) {
  std::vector<uint8_t> plaintext = Pattern(2 * kSeg + 10);
  std::vector<uint8_t> sealed = Seal(plaintext);
  SegmentStream s(kFileKey, kDigest, kSeg);
  std::vector<uint8_t> out(kSeg);
  core::ByteView first(sealed.data(), kSeg + 16);
  EXPECT_TRUE(s.Open(0, false, first, out));
  EXPECT_FALSE(s.Open(1, false, first, out));
  EXPECT_FALSE(s.Open(0, true, first, out));
}

TEST(SegmentStream, TruncationAtASegmentBoundaryFailsTheLastFlag) {
  std::vector<uint8_t> sealed = Seal(Pattern(3 * kSeg)), out;
  sealed.resize(2 * (kSeg + 16));
  EXPECT_FALSE(Open(sealed, out));
}

TEST(SegmentStream, RefusesSegmentSizesOutOfRange) {
  EXPECT_EQ(CoreErrorCode([] { SegmentStream(kFileKey, kDigest, 1024); }), code::kInvalidFormat);
  EXPECT_EQ(CoreErrorCode([] { SegmentStream(std::vector<uint8_t>(16), kDigest, kSeg); }), code::kInvalidKey);
}

}  // namespace
}  // namespace openrms::test
