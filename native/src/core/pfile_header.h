// The fixed part of a PFILE container (all integers little-endian, offsets from the start of
// the file):
//
//   ".pfile"  u32 major  u32 minor  u32 R  R bytes of cleartext notice
//   offset table: u32 headerSize  u32 extOffset  u32 extLength  u32 plOffset  u32 plLength
//                 u32 contentOffset
//                 from 2.1 on: u64 originalFileSize (all ones = unknown)
//                              u32 metadataOffset  u32 metadataLength
//
// Versions 2.0, 2.1 and 3.0 are read. Every offset and length is checked against the file
// size before anything is read through it, so a header that lies fails here with a code,
// never with an allocation sized by the header.
#pragma once

#include <cstdint>

#include "bytes.h"

namespace openrms::core {

struct FileRegion {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t end() const { return offset + length; }
};

struct PfileHeader {
  uint32_t major = 0;
  uint32_t minor = 0;
  FileRegion notice;
  uint32_t table_size = 0;  // headerSize: bytes of the offset table
  FileRegion extension;     // the original file extension, e.g. ".txt"
  FileRegion license;       // the serialized publishing license
  FileRegion metadata;      // 2.1 and later; empty otherwise
  FileRegion content;       // from contentOffset to the end of the file
  bool original_size_known = false;
  uint64_t original_size = 0;
};

inline constexpr size_t kPfileMagicSize = 6;
// Caps on what a header may claim, so no caller allocates what a hostile header asks for.
inline constexpr uint64_t kPfileMaxNotice = 64 * 1024;
inline constexpr uint64_t kPfileMaxExtension = 256;
inline constexpr uint64_t kPfileMaxLicense = 16 * 1024 * 1024;
inline constexpr uint64_t kPfileMaxMetadata = 16 * 1024 * 1024;
// Enough leading bytes to parse any header that passes the caps above.
inline constexpr size_t kPfileMaxPrefix = 18 + kPfileMaxNotice + 40;
// The content starts no later than this: every region fits under its cap, with at most
// 64 KiB of slack between them. A reader that streams a file buffers its header, so the
// content offset (a u32) must not be able to make it hold gigabytes.
inline constexpr uint64_t kPfileMaxHeader =
    kPfileMaxPrefix + kPfileMaxExtension + kPfileMaxLicense + kPfileMaxMetadata + 64 * 1024;

// True when `prefix` starts with the PFILE magic.
bool HasPfileMagic(ByteView prefix);

// Parses the header from the first bytes of a file of `file_size` bytes (`prefix` holds at
// least min(file_size, kPfileMaxPrefix) bytes). Throws FILE_IS_NOT_ENCRYPTED when the magic
// is absent, UNSUPPORTED_VERSION for another version, INVALID_FORMAT for anything else.
PfileHeader ParsePfileHeader(ByteView prefix, uint64_t file_size);

}  // namespace openrms::core
