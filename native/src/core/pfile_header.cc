#include "pfile_header.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "error.h"

namespace openrms::core {
namespace {

constexpr uint8_t kMagic[kPfileMagicSize] = {'.', 'p', 'f', 'i', 'l', 'e'};
constexpr uint32_t kTableSizeV20 = 24;
constexpr uint32_t kTableSizeV21 = 40;
constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;  // Number.MAX_SAFE_INTEGER

[[noreturn]] void Invalid(const std::string& why) { throw Error(code::kInvalidFormat, "not a valid PFILE: " + why); }

// A cursor over the prefix that refuses to read past what it holds.
class Reader {
 public:
  explicit Reader(ByteView bytes) : bytes_(bytes) {}
  uint32_t U32(const char* what) { return static_cast<uint32_t>(Little(4, what)); }
  uint64_t U64(const char* what) { return Little(8, what); }
  void Skip(uint64_t n, const char* what) {
    if (n > bytes_.size - pos_) Invalid(std::string(what) + " runs past the end of the file");
    pos_ += static_cast<size_t>(n);
  }
  size_t position() const { return pos_; }

 private:
  uint64_t Little(size_t n, const char* what) {
    if (n > bytes_.size - pos_) Invalid(std::string("truncated before ") + what);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(bytes_.data[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }
  ByteView bytes_;
  size_t pos_ = 0;
};

void CheckRegion(const FileRegion& r, const char* what, uint64_t table_end, uint64_t file_size, uint64_t cap) {
  if (r.length > cap) Invalid(std::string(what) + " is " + std::to_string(r.length) + " bytes, over the cap of " + std::to_string(cap));
  if (r.offset < table_end && r.length > 0) Invalid(std::string(what) + " overlaps the header");
  if (r.offset > file_size || r.length > file_size - r.offset) Invalid(std::string(what) + " lies past the end of the file");
}

}  // namespace

bool HasPfileMagic(ByteView prefix) {
  return prefix.size >= kPfileMagicSize && std::memcmp(prefix.data, kMagic, kPfileMagicSize) == 0;
}

PfileHeader ParsePfileHeader(ByteView prefix, uint64_t file_size) {
  if (!HasPfileMagic(prefix)) throw Error(code::kFileIsNotEncrypted, "the file is not a PFILE (no .pfile magic)");
  if (prefix.size > file_size) throw Error(code::kInvalidArgument, "prefix is longer than the file");
  Reader in(prefix);
  in.Skip(kPfileMagicSize, "magic");
  PfileHeader h;
  h.major = in.U32("the major version");
  h.minor = in.U32("the minor version");
  bool v20 = h.major == 2 && h.minor == 0;
  bool v21_or_30 = (h.major == 2 && h.minor == 1) || (h.major == 3 && h.minor == 0);
  if (!v20 && !v21_or_30)
    throw Error(code::kUnsupportedVersion,
                "PFILE version " + std::to_string(h.major) + "." + std::to_string(h.minor) + " is not supported (2.0, 2.1, 3.0)");
  uint32_t notice_length = in.U32("the notice length");
  if (notice_length > kPfileMaxNotice) Invalid("cleartext notice longer than " + std::to_string(kPfileMaxNotice) + " bytes");
  h.notice = {in.position(), notice_length};
  in.Skip(notice_length, "the cleartext notice");
  uint64_t table_offset = in.position();

  h.table_size = in.U32("the offset table");
  uint32_t expected = v20 ? kTableSizeV20 : kTableSizeV21;
  if (h.table_size != expected)
    Invalid("offset table size " + std::to_string(h.table_size) + " where version " + std::to_string(h.major) + "." +
            std::to_string(h.minor) + " has " + std::to_string(expected));
  h.extension.offset = in.U32("the extension offset");
  h.extension.length = in.U32("the extension length");
  h.license.offset = in.U32("the license offset");
  h.license.length = in.U32("the license length");
  uint64_t content_offset = in.U32("the content offset");
  if (!v20) {
    uint64_t original = in.U64("the original size");
    h.original_size_known = original != UINT64_MAX;
    h.original_size = h.original_size_known ? original : 0;
    h.metadata.offset = in.U32("the metadata offset");
    h.metadata.length = in.U32("the metadata length");
  }
  uint64_t table_end = table_offset + h.table_size;

  CheckRegion(h.extension, "the original extension", table_end, file_size, kPfileMaxExtension);
  CheckRegion(h.license, "the publishing license", table_end, file_size, kPfileMaxLicense);
  CheckRegion(h.metadata, "the metadata", table_end, file_size, kPfileMaxMetadata);
  if (h.license.length == 0) Invalid("the publishing license is empty");
  if (content_offset < table_end || content_offset > file_size) Invalid("the content offset lies outside the file");
  if (content_offset > kPfileMaxHeader) Invalid("the header is larger than any valid one (" + std::to_string(content_offset) + " bytes)");
  h.content = {content_offset, file_size - content_offset};

  // The regions must not overlap each other, and the content comes after all of them.
  std::vector<FileRegion> regions = {h.extension, h.license, h.metadata};
  regions.erase(std::remove_if(regions.begin(), regions.end(), [](const FileRegion& r) { return r.length == 0; }),
                regions.end());
  std::sort(regions.begin(), regions.end(), [](const FileRegion& a, const FileRegion& b) { return a.offset < b.offset; });
  for (size_t i = 0; i + 1 < regions.size(); ++i)
    if (regions[i].end() > regions[i + 1].offset) Invalid("header regions overlap");
  for (const FileRegion& r : regions)
    if (r.end() > content_offset) Invalid("a header region overlaps the content");
  // Whether the size matches the content is checked only once the content authenticates, so
  // a truncated file reports as tampered; here only a size no JavaScript number holds exactly
  // (2^53 and up: 2^53 + 1 would read as 2^53) is refused.
  if (h.original_size_known && h.original_size > kMaxSafeInteger)
    Invalid("the original size " + std::to_string(h.original_size) + " is larger than any file (2^53 - 1 bytes)");
  return h;
}

}  // namespace openrms::core
