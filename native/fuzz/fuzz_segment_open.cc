// libFuzzer target for AES256-GCM-STREAM segment decryption: any bytes, opened as the sealed
// segments of a file under a fixed key and header digest, either fail authentication (with the
// failing segment zeroed) or are refused with core::Error; a forged segment never opens.
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
  if (size < 1) return 0;
  size_t segment_size = 4096 * (1 + data[0] % 4);
  ByteView sealed(data + 1, size - 1);
  try {
    SegmentStream stream(key, digest, segment_size);
    uint64_t n = SegmentStream::PlaintextSize(sealed.size, segment_size);
    std::vector<uint8_t> out(n, 0xcc);
    bool ok = stream.OpenRange(sealed, 0, SegmentStream::SegmentCount(n, segment_size), out);
    // Random bytes cannot carry a valid GCM tag under a key the fuzzer does not know.
    FUZZ_CHECK(!ok);
    // The first segment failed, so it must have been zeroed.
    size_t first = n < segment_size ? static_cast<size_t>(n) : segment_size;
    for (size_t i = 0; i < first; ++i) FUZZ_CHECK(out[i] == 0);
  } catch (const openrms::core::Error&) {
    // Sizes that cannot be whole segments are refused.
  }
  return 0;
}
