// libFuzzer target for the PFILE header parser: any input, read as the first bytes of a file
// of any size, either parses into regions that all lie inside the file without overlapping,
// or is refused with a core::Error. Nothing else (crash, overflow, oversized region) is allowed.
#include <cstdint>
#include <cstring>

#include "core/error.h"
#include "core/pfile_header.h"
#include "fuzz_check.h"

using openrms::core::ByteView;
using openrms::core::FileRegion;
using openrms::core::PfileHeader;

namespace {

void CheckInside(const FileRegion& r, uint64_t file_size) {
  FUZZ_CHECK(r.offset <= file_size);
  FUZZ_CHECK(r.length <= file_size - r.offset);
}

void Parse(ByteView prefix, uint64_t file_size) {
  try {
    PfileHeader h = openrms::core::ParsePfileHeader(prefix, file_size);
    for (const FileRegion* r : {&h.extension, &h.license, &h.metadata, &h.content}) CheckInside(*r, file_size);
    FUZZ_CHECK(h.license.length > 0 && h.license.length <= openrms::core::kPfileMaxLicense);
    FUZZ_CHECK(h.extension.length <= openrms::core::kPfileMaxExtension);
    FUZZ_CHECK(h.content.end() == file_size);
    FUZZ_CHECK(h.license.end() <= h.content.offset);
  } catch (const openrms::core::Error&) {
    // The documented way to refuse a header.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The input is the file itself; also try it as the prefix of a much larger file, so that
  // offsets pointing past the prefix (into content never read) are exercised.
  ByteView input(data, size);
  Parse(input, size);
  if (size >= 8) {
    uint64_t claimed = 0;
    std::memcpy(&claimed, data + size - 8, 8);
    Parse(ByteView(data, size - 8), (size - 8) + (claimed % (uint64_t{1} << 40)));
  }
  return 0;
}
