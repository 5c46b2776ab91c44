// libFuzzer target for AES256-GCM-STREAM segment decryption: any bytes, opened as a chunk of
// sealed segments (the whole file, or a chunk anywhere in one, as streams read them) under a
// fixed key and header digest, either fail authentication (with the failing segment zeroed)
// or are refused with core::Error; a forged segment never opens.
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/segment_stream.h"
#include "fuzz_check.h"

using openrms::core::ByteView;
using openrms::core::SegmentStream;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<uint8_t> key(32, 0x5a), digest(32, 0xa5);
  // The first byte picks a segment size, so boundaries move as the fuzzer mutates.
  // The second picks where the chunk sits: whether it ends the file, and its first index.
  if (size < 2) return 0;
  size_t segment_size = 4096 * (1 + data[0] % 4);
  openrms::core::ChunkPosition at{static_cast<uint64_t>(data[1] >> 1) << 56 | (data[1] >> 1), (data[1] & 1) == 0};
  ByteView sealed(data + 2, size - 2);
  try {
    SegmentStream stream(key, digest, segment_size);
    uint64_t n = SegmentStream::ChunkPlaintextSize(sealed.size, segment_size, at);
    size_t segments = SegmentStream::ChunkSegmentCount(n, segment_size, at);
    std::vector<uint8_t> out(n, 0xcc);
    bool ok = stream.OpenRange(sealed, 0, segments, out, at);
    // Random bytes cannot carry a valid GCM tag under a key the fuzzer does not know; only an
    // empty chunk in the middle of a file (no segments at all) opens.
    FUZZ_CHECK(ok == (segments == 0));
    // The first segment failed, so it must have been zeroed.
    size_t first = n < segment_size ? static_cast<size_t>(n) : segment_size;
    for (size_t i = 0; i < first; ++i) FUZZ_CHECK(out[i] == 0);
  } catch (const openrms::core::Error&) {
    // Sizes that cannot be whole segments are refused.
  }
  return 0;
}
