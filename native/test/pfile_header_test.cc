#include "core/pfile_header.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core_error_code.h"

// The Microsoft-made files are read from TypeScript (test/format); these tests build headers
// byte by byte to pin each rule of the parser.
namespace openrms::test {
namespace {

namespace code = core::code;

void PutU32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

struct Layout {
  uint32_t major = 3, minor = 0;
  std::string notice = "protected";
  uint32_t table_size = 40;
  uint32_t ext_offset = 0, ext_length = 4, pl_offset = 0, pl_length = 10, content_offset = 0;
  uint64_t original = UINT64_MAX;
  uint32_t meta_offset = 0, meta_length = 0;
  size_t content_length = 32;
};

// A well-formed file: header, ".txt", a 10-byte license, then content.
std::vector<uint8_t> Build(Layout l) {
  std::vector<uint8_t> b = {'.', 'p', 'f', 'i', 'l', 'e'};
  PutU32(b, l.major);
  PutU32(b, l.minor);
  PutU32(b, static_cast<uint32_t>(l.notice.size()));
  b.insert(b.end(), l.notice.begin(), l.notice.end());
  bool v20 = l.major == 2 && l.minor == 0;
  uint32_t table_end = static_cast<uint32_t>(b.size()) + (v20 ? 24 : 40);
  if (l.ext_offset == 0) l.ext_offset = table_end;
  if (l.pl_offset == 0) l.pl_offset = l.ext_offset + l.ext_length;
  if (l.content_offset == 0) l.content_offset = l.pl_offset + l.pl_length;
  if (l.meta_offset == 0) l.meta_offset = l.content_offset;
  PutU32(b, l.table_size == 40 && v20 ? 24 : l.table_size);
  PutU32(b, l.ext_offset);
  PutU32(b, l.ext_length);
  PutU32(b, l.pl_offset);
  PutU32(b, l.pl_length);
  PutU32(b, l.content_offset);
  if (!v20) {
    PutU32(b, static_cast<uint32_t>(l.original));
    PutU32(b, static_cast<uint32_t>(l.original >> 32));
    PutU32(b, l.meta_offset);
    PutU32(b, l.meta_length);
  }
  b.resize(table_end, 0);
  const char* ext = ".txt";
  b.insert(b.end(), ext, ext + 4);
  b.resize(b.size() + l.pl_length + l.content_length, 0x41);
  return b;
}

std::string ParseCode(const std::vector<uint8_t>& file) {
  return CoreErrorCode([&] { core::ParsePfileHeader(file, file.size()); });
}

TEST(PfileHeader, ParsesVersions20And21And30) {
  for (auto [major, minor] : {std::pair{2u, 0u}, {2u, 1u}, {3u, 0u}}) {
    Layout l;
    l.major = major;
    l.minor = minor;
    std::vector<uint8_t> file = Build(l);
    core::PfileHeader h = core::ParsePfileHeader(file, file.size());
    EXPECT_EQ(h.major, major);
    EXPECT_EQ(h.extension.length, 4u);
    EXPECT_EQ(h.license.length, 10u);
    EXPECT_EQ(h.content.length, 32u);
    EXPECT_EQ(h.content.end(), file.size());
    EXPECT_FALSE(h.original_size_known);
  }
}

TEST(PfileHeader, ReadsTheOriginalSizeWhenKnown) {
  Layout l;
  l.original = 20;
  std::vector<uint8_t> file = Build(l);
  core::PfileHeader h = core::ParsePfileHeader(file, file.size());
  EXPECT_TRUE(h.original_size_known);
  EXPECT_EQ(h.original_size, 20u);
}

TEST(PfileHeader, RefusesAnOriginalSizeNoJavaScriptNumberHolds) {
  // Streamed in, a file's size is not known yet: the parser is given a huge one.
  Layout l;
  l.original = uint64_t{1} << 53;
  std::vector<uint8_t> file = Build(l);
  EXPECT_EQ(CoreErrorCode([&] { core::ParsePfileHeader(file, UINT64_MAX - 1); }), code::kInvalidFormat);
  l.original = (uint64_t{1} << 53) - 1;
  file = Build(l);
  EXPECT_EQ(core::ParsePfileHeader(file, UINT64_MAX - 1).original_size, (uint64_t{1} << 53) - 1);
}

TEST(PfileHeader, RefusesFilesThatAreNotPfiles) {
  std::vector<uint8_t> file = Build({});
  file[1] = 'q';
  EXPECT_EQ(ParseCode(file), code::kFileIsNotEncrypted);
  EXPECT_EQ(ParseCode({}), code::kFileIsNotEncrypted);
}

TEST(PfileHeader, RefusesOtherVersionsWithUnsupportedVersion) {
  Layout l;
  l.major = 1;
  EXPECT_EQ(ParseCode(Build(l)), code::kUnsupportedVersion);
  l.major = 3;
  l.minor = 1;
  EXPECT_EQ(ParseCode(Build(l)), code::kUnsupportedVersion);
}

TEST(PfileHeader, RefusesHeadersThatLie) {
  auto expect_invalid = [](Layout l, const char* why) { EXPECT_EQ(ParseCode(Build(l)), code::kInvalidFormat) << why; };
  Layout l;
  l.pl_offset = 100000;
  expect_invalid(l, "license past the end");
  l = {};
  l.pl_length = 0;
  expect_invalid(l, "empty license");
  l = {};
  l.ext_offset = 8;
  expect_invalid(l, "extension inside the header");
  l = {};
  l.ext_length = 300;
  expect_invalid(l, "extension over its cap");
  l = {};
  l.table_size = 36;
  expect_invalid(l, "wrong table size");
  l = {};
  l.content_offset = 70;
  expect_invalid(l, "content overlapping the license");
  l = {};
  l.meta_length = 8;
  l.meta_offset = 60;
  expect_invalid(l, "metadata overlapping the license");
}

TEST(PfileHeader, RefusesTruncationAnywhereInTheHeader) {
  std::vector<uint8_t> file = Build({});
  size_t header_end = 6 + 12 + 9 + 40;
  for (size_t n = 6; n < header_end; ++n) {
    std::vector<uint8_t> cut(file.begin(), file.begin() + n);
    EXPECT_EQ(ParseCode(cut), code::kInvalidFormat) << "cut at " << n;
  }
}

TEST(PfileHeader, RefusesALicenseOverTheCapWithoutAllocatingIt) {
  Layout l;
  l.pl_length = 20 * 1024 * 1024;
  l.content_length = 0;
  std::vector<uint8_t> file = Build(l);
  EXPECT_EQ(ParseCode(file), code::kInvalidFormat);
}

TEST(PfileHeader, RefusesAContentOffsetBeyondAnyValidHeader) {
  // A file streamed in cannot be measured first: the parser is given a huge size, and the
  // content offset alone must not be able to make the reader buffer gigabytes.
  Layout l;
  std::vector<uint8_t> file = Build(l);
  EXPECT_EQ(ParseCode(file), "<no error>");
  l.content_offset = 0xffffff00;
  std::vector<uint8_t> lying = Build(l);
  EXPECT_EQ(CoreErrorCode([&] { core::ParsePfileHeader(lying, uint64_t{1} << 52); }), code::kInvalidFormat);
  EXPECT_NO_THROW(core::ParsePfileHeader(file, uint64_t{1} << 52));
}

}  // namespace
}  // namespace openrms::test
