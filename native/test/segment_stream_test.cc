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

TEST(SegmentStream, ChunksSealExactlyLikeTheWholeFile) {
  // A file sealed chunk by chunk (as streams and the file engine do) is byte for byte the
  // file sealed at once, so either reader opens it.
  for (size_t n : {size_t{0}, kSeg - 1, kSeg, kSeg + 1, 5 * kSeg, 5 * kSeg + 3}) {
    std::vector<uint8_t> plaintext = Pattern(n), whole = Seal(plaintext), chunked(whole.size());
    SegmentStream s(kFileKey, kDigest, kSeg);
    size_t offset = 0, sealed_offset = 0;
    uint64_t index = 0;
    while (true) {
      size_t take = n - offset > 2 * kSeg ? 2 * kSeg : n - offset;
      bool final = offset + take == n && n - offset <= 2 * kSeg;
      core::ChunkPosition at{index, final};
      core::ByteView in(plaintext.data() + offset, take);
      size_t segments = SegmentStream::ChunkSegmentCount(take, kSeg, at);
      size_t sealed_size = take + segments * core::kSegmentTagSize;
      s.SealRange(in, 0, segments, core::MutableByteView(chunked.data() + sealed_offset, sealed_size), at);
      offset += take, sealed_offset += sealed_size, index += segments;
      if (final) break;
    }
    EXPECT_EQ(chunked, whole) << n;

    // And the whole file opens chunk by chunk.
    std::vector<uint8_t> out(n, 0xee);
    size_t full = kSeg + core::kSegmentTagSize;
    size_t head = whole.size() > full ? (whole.size() - 1) / full * full : 0;
    core::ChunkPosition first{0, false}, rest{head / full, true};
    size_t first_plain = SegmentStream::ChunkPlaintextSize(head, kSeg, first);
    ASSERT_TRUE(s.OpenRange(core::ByteView(whole.data(), head), 0, head / full, core::MutableByteView(out.data(), first_plain), first));
    core::ByteView tail(whole.data() + head, whole.size() - head);
    uint64_t tail_plain = SegmentStream::ChunkPlaintextSize(tail.size, kSeg, rest);
    ASSERT_TRUE(s.OpenRange(tail, 0, SegmentStream::ChunkSegmentCount(tail_plain, kSeg, rest),
                            core::MutableByteView(out.data() + first_plain, n - first_plain), rest));
    EXPECT_EQ(out, plaintext) << n;
  }
}

TEST(SegmentStream, AChunkOpenedAtTheWrongPlaceFails) {
  std::vector<uint8_t> sealed = Seal(Pattern(3 * kSeg)), out(3 * kSeg);
  SegmentStream s(kFileKey, kDigest, kSeg);
  size_t full = kSeg + core::kSegmentTagSize;
  // The last segment opened as if more followed, and the first as if it ended the file.
  EXPECT_FALSE(s.OpenRange(core::ByteView(sealed.data() + 2 * full, full), 0, 1, core::MutableByteView(out.data(), kSeg), {2, false}));
  EXPECT_FALSE(s.OpenRange(core::ByteView(sealed.data(), full), 0, 1, core::MutableByteView(out.data(), kSeg), {0, true}));
  // A segment opened under another index.
  EXPECT_FALSE(s.OpenRange(core::ByteView(sealed.data() + full, full), 0, 1, core::MutableByteView(out.data(), kSeg), {0, false}));
  for (size_t i = 0; i < kSeg; ++i) ASSERT_EQ(out[i], 0) << i;
}

TEST(SegmentStream, ChunksThatDoNotEndTheFileHoldWholeSegments) {
  std::vector<uint8_t> plaintext = Pattern(kSeg + 1), sealed(kSeg + 1 + 32), out(kSeg + 1);
  SegmentStream s(kFileKey, kDigest, kSeg);
  EXPECT_EQ(CoreErrorCode([&] { s.SealRange(plaintext, 0, 1, sealed, {0, false}); }), code::kInvalidArgument);
  EXPECT_EQ(CoreErrorCode([&] { s.OpenRange(core::ByteView(sealed.data(), kSeg + 17), 0, 1, out, {0, false}); }), code::kInvalidArgument);
  EXPECT_EQ(SegmentStream::ChunkSegmentCount(0, kSeg, {7, false}), 0u);
  EXPECT_EQ(SegmentStream::ChunkPlaintextSize(0, kSeg, {7, false}), 0u);
  EXPECT_EQ(CoreErrorCode([] { SegmentStream::ChunkPlaintextSize(0, kSeg, {7, true}); }), code::kInvalidFormat);
}

}  // namespace
}  // namespace openrms::test
