// AES256-GCM-STREAM, openrms's default content mode: content in fixed-size segments, each
// sealed with AES-256-GCM under a per-file key (HKDF-SHA256 of the content key and a random
// salt stored in the file). Segment i uses
//
//   nonce = 4 zero bytes || BE64(i)
//   aad   = header digest (32 bytes: SHA-256 of every byte of the file before the first
//           segment, license included) || BE64(i) || last flag (1 byte: 1 on the last segment)
//
// so a flipped bit, a dropped, duplicated or reordered segment, a truncated file, or a segment
// moved in from another file (another salt, so another key) fails authentication. A segment
// that fails is never released: its output is zeroed.
#pragma once

#include <cstdint>

#include "aes_gcm.h"

namespace openrms::core {

inline constexpr size_t kSegmentTagSize = kGcmTagSize;
inline constexpr size_t kHeaderDigestSize = 32;
inline constexpr size_t kMinSegmentSize = 4096;
inline constexpr size_t kMaxSegmentSize = 16 * 1024 * 1024;

// Where a chunk of consecutive segments sits in its file: the index of its first segment and
// whether the chunk ends the file. Streams and files are processed chunk by chunk, so memory
// stays bounded by the chunk, not the content; a whole buffer is the chunk {0, true}.
struct ChunkPosition {
  uint64_t first_index = 0;
  bool final = true;
};

class SegmentStream {
 public:
  // `file_key` is the derived 32-byte key; `header_digest` the SHA-256 described above.
  SegmentStream(ByteView file_key, ByteView header_digest, size_t segment_size);

  size_t segment_size() const { return segment_size_; }

  // Segments a plaintext of `size` bytes makes (an empty plaintext still makes one, empty).
  static size_t SegmentCount(uint64_t plaintext_size, size_t segment_size);
  static uint64_t SealedSize(uint64_t plaintext_size, size_t segment_size);
  // The plaintext size behind `sealed_size` bytes of segments; throws INVALID_FORMAT when no
  // plaintext size gives exactly that many bytes (a truncated or padded file).
  static uint64_t PlaintextSize(uint64_t sealed_size, size_t segment_size);

  // Seals segment `index` (`in` at most segment_size bytes, `out` in.size + 16 bytes).
  void Seal(uint64_t index, bool last, ByteView in, MutableByteView out);
  // Opens one sealed segment into `out` (in.size - 16 bytes); false (and `out` zeroed) when
  // it does not authenticate as segment `index` of this file with this `last` flag.
  bool Open(uint64_t index, bool last, ByteView in, MutableByteView out);

  // Segments in a chunk of `plaintext_size` bytes at `at`. A chunk that does not end the file
  // holds whole segments only (INVALID_ARGUMENT otherwise) and may be empty.
  static size_t ChunkSegmentCount(uint64_t plaintext_size, size_t segment_size, ChunkPosition at);
  static uint64_t ChunkSealedSize(uint64_t plaintext_size, size_t segment_size, ChunkPosition at);
  // The plaintext size behind a sealed chunk; INVALID_FORMAT (final chunk: truncated or padded)
  // or INVALID_ARGUMENT (other chunks: not whole segments) when no plaintext size fits.
  static uint64_t ChunkPlaintextSize(uint64_t sealed_size, size_t segment_size, ChunkPosition at);

  // Segments [first, first + count) of the chunk `plaintext` / `sealed` at `at` (by default
  // the whole file): the ranges a thread pool splits a chunk into. Open returns false at the
  // first segment that fails (its output zeroed).
  void SealRange(ByteView plaintext, size_t first, size_t count, MutableByteView sealed, ChunkPosition at = {});
  bool OpenRange(ByteView sealed, size_t first, size_t count, MutableByteView plaintext, ChunkPosition at = {});

 private:
  void Nonce(uint64_t index, uint8_t nonce[kGcmRecommendedIvSize]) const;
  void Aad(uint64_t index, bool last, uint8_t aad[kHeaderDigestSize + 9]) const;

  AesGcm gcm_;
  uint8_t header_digest_[kHeaderDigestSize];
  size_t segment_size_;
};

}  // namespace openrms::core
