#include "segment_stream.h"

#include <cstring>
#include <string>

#include <openssl/crypto.h>

#include "error.h"

namespace openrms::core {
namespace {

void PutBigEndian64(uint64_t v, uint8_t* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace

SegmentStream::SegmentStream(ByteView file_key, ByteView header_digest, size_t segment_size)
    : gcm_(file_key), segment_size_(segment_size) {
  if (file_key.size != 32) throw Error(code::kInvalidKey, "AES256-GCM-STREAM needs a 32-byte file key");
  if (header_digest.size != kHeaderDigestSize) throw Error(code::kInvalidArgument, "header digest must be 32 bytes");
  if (segment_size < kMinSegmentSize || segment_size > kMaxSegmentSize)
    throw Error(code::kInvalidFormat, "segment size " + std::to_string(segment_size) + " is outside 4 KiB..16 MiB");
  std::memcpy(header_digest_, header_digest.data, kHeaderDigestSize);
}

size_t SegmentStream::SegmentCount(uint64_t plaintext_size, size_t segment_size) {
  // A plaintext that fills its last segment exactly still ends with that full segment; only an
  // empty plaintext makes an empty segment.
  if (plaintext_size == 0) return 1;
  return static_cast<size_t>((plaintext_size + segment_size - 1) / segment_size);
}

uint64_t SegmentStream::SealedSize(uint64_t plaintext_size, size_t segment_size) {
  return plaintext_size + SegmentCount(plaintext_size, segment_size) * kSegmentTagSize;
}

uint64_t SegmentStream::PlaintextSize(uint64_t sealed_size, size_t segment_size) {
  uint64_t full = segment_size + kSegmentTagSize;
  uint64_t whole = sealed_size / full, rest = sealed_size % full;
  uint64_t plaintext = 0;
  if (rest == 0 && whole > 0) {
    plaintext = whole * segment_size;  // the last segment is full
  } else if (rest >= kSegmentTagSize && (rest > kSegmentTagSize || whole == 0)) {
    plaintext = whole * segment_size + (rest - kSegmentTagSize);  // a shorter last segment
  } else {
    throw Error(code::kInvalidFormat, "the content is truncated: " + std::to_string(sealed_size) +
                                          " bytes cannot be whole segments");
  }
  return plaintext;
}

void SegmentStream::Nonce(uint64_t index, uint8_t nonce[kGcmRecommendedIvSize]) const {
  std::memset(nonce, 0, 4);
  PutBigEndian64(index, nonce + 4);
}

void SegmentStream::Aad(uint64_t index, bool last, uint8_t aad[kHeaderDigestSize + 9]) const {
  std::memcpy(aad, header_digest_, kHeaderDigestSize);
  PutBigEndian64(index, aad + kHeaderDigestSize);
  aad[kHeaderDigestSize + 8] = last ? 1 : 0;
}

void SegmentStream::Seal(uint64_t index, bool last, ByteView in, MutableByteView out) {
  if (in.size > segment_size_) throw Error(code::kInvalidArgument, "segment larger than the segment size");
  if (out.size < in.size + kSegmentTagSize) throw Error(code::kInvalidArgument, "segment output too small");
  uint8_t nonce[kGcmRecommendedIvSize], aad[kHeaderDigestSize + 9];
  Nonce(index, nonce);
  Aad(index, last, aad);
  gcm_.Seal({nonce, sizeof nonce}, {aad, sizeof aad}, in, out.subview(0, in.size), out.subview(in.size, kSegmentTagSize));
}

bool SegmentStream::Open(uint64_t index, bool last, ByteView in, MutableByteView out) {
  if (in.size < kSegmentTagSize || in.size - kSegmentTagSize > segment_size_)
    throw Error(code::kInvalidFormat, "sealed segment of impossible size");
  size_t n = in.size - kSegmentTagSize;
  if (out.size < n) throw Error(code::kInvalidArgument, "segment output too small");
  uint8_t nonce[kGcmRecommendedIvSize], aad[kHeaderDigestSize + 9];
  Nonce(index, nonce);
  Aad(index, last, aad);
  return gcm_.Open({nonce, sizeof nonce}, {aad, sizeof aad}, in.subview(0, n), in.subview(n, kSegmentTagSize),
                   out.subview(0, n));
}

size_t SegmentStream::ChunkSegmentCount(uint64_t plaintext_size, size_t segment_size, ChunkPosition at) {
  if (at.final) return SegmentCount(plaintext_size, segment_size);
  if (plaintext_size % segment_size != 0)
    throw Error(code::kInvalidArgument, "a chunk that does not end the file must hold whole segments");
  return static_cast<size_t>(plaintext_size / segment_size);
}

uint64_t SegmentStream::ChunkSealedSize(uint64_t plaintext_size, size_t segment_size, ChunkPosition at) {
  return plaintext_size + ChunkSegmentCount(plaintext_size, segment_size, at) * kSegmentTagSize;
}

uint64_t SegmentStream::ChunkPlaintextSize(uint64_t sealed_size, size_t segment_size, ChunkPosition at) {
  if (at.final) return PlaintextSize(sealed_size, segment_size);
  uint64_t full = segment_size + kSegmentTagSize;
  if (sealed_size % full != 0)
    throw Error(code::kInvalidArgument, "a sealed chunk that does not end the file must hold whole segments");
  return sealed_size / full * segment_size;
}

void SegmentStream::SealRange(ByteView plaintext, size_t first, size_t count, MutableByteView sealed, ChunkPosition at) {
  size_t total = ChunkSegmentCount(plaintext.size, segment_size_, at);
  if (first > total || count > total - first) throw Error(code::kInvalidArgument, "segment range out of bounds");
  if (sealed.size < ChunkSealedSize(plaintext.size, segment_size_, at)) throw Error(code::kInvalidArgument, "output too small");
  for (size_t i = first; i < first + count; ++i) {
    size_t offset = i * segment_size_;
    size_t n = plaintext.size - offset < segment_size_ ? plaintext.size - offset : segment_size_;
    Seal(at.first_index + i, at.final && i + 1 == total, plaintext.subview(offset, n),
         sealed.subview(offset + i * kSegmentTagSize, n + kSegmentTagSize));
  }
}

bool SegmentStream::OpenRange(ByteView sealed, size_t first, size_t count, MutableByteView plaintext, ChunkPosition at) {
  uint64_t plain_size = ChunkPlaintextSize(sealed.size, segment_size_, at);
  size_t total = ChunkSegmentCount(plain_size, segment_size_, at);
  if (first > total || count > total - first) throw Error(code::kInvalidArgument, "segment range out of bounds");
  if (plaintext.size < plain_size) throw Error(code::kInvalidArgument, "output too small");
  for (size_t i = first; i < first + count; ++i) {
    size_t offset = i * segment_size_;
    size_t n = plain_size - offset < segment_size_ ? static_cast<size_t>(plain_size - offset) : segment_size_;
    if (!Open(at.first_index + i, at.final && i + 1 == total, sealed.subview(offset + i * kSegmentTagSize, n + kSegmentTagSize),
              plaintext.subview(offset, n)))
      return false;
  }
  return true;
}

}  // namespace openrms::core
