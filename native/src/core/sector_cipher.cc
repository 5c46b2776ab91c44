#include "sector_cipher.h"

#include <cstring>
#include <string>

#include "error.h"

namespace openrms::core {
namespace {

constexpr size_t kCbc4kSector = 4096;
constexpr size_t kCbc512Sector = 512;

[[noreturn]] void NotAligned(const std::string& what) { throw Error(code::kNotBlockAligned, what); }

void RequireOut(MutableByteView out, size_t needed) {
  if (out.size < needed)
    throw Error(code::kInvalidArgument, "output buffer too small: need " + std::to_string(needed) + " bytes");
}

}  // namespace

SectorCipher::SectorCipher(SectorMode mode, ByteView key) : mode_(mode), cbc_(key), ecb_(key) {}

size_t SectorCipher::BlockSize(SectorMode mode) {
  switch (mode) {
    case SectorMode::kCbc4k: return kCbc4kSector;
    case SectorMode::kCbc512NoPadding: return kCbc512Sector;
    case SectorMode::kEcb: return kAesBlockSize;
  }
  return kAesBlockSize;
}

size_t SectorCipher::CiphertextSize(SectorMode mode, size_t plaintext_size) {
  if (mode != SectorMode::kCbc4k) return plaintext_size;
  return plaintext_size / kAesBlockSize * kAesBlockSize + kAesBlockSize;
}

size_t SectorCipher::SectorCount(SectorMode mode, size_t size, bool ciphertext) {
  size_t block = BlockSize(mode);
  if (mode == SectorMode::kCbc4k && !ciphertext) return size / block + 1;  // the final call is always made
  return (size + block - 1) / block;
}

void SectorCipher::SectorIv(uint64_t index, uint8_t iv[kAesBlockSize]) {
  uint8_t counter[kAesBlockSize] = {0};
  if (mode_ == SectorMode::kCbc4k) {
    if (index > 0xffffffffULL) throw Error(code::kInvalidArgument, "MICROSOFT.CBC4K sector number exceeds 32 bits");
    for (int b = 0; b < 4; ++b) counter[b] = static_cast<uint8_t>(index >> (8 * b));
  } else {
    if (index > UINT64_MAX / kCbc512Sector)
      throw Error(code::kInvalidArgument, "MICROSOFT.CBC512 sector number too large");
    uint64_t offset = index * kCbc512Sector;
    for (int b = 0; b < 8; ++b) counter[b] = static_cast<uint8_t>(offset >> (8 * b));
  }
  ecb_.Encrypt({counter, sizeof counter}, {iv, kAesBlockSize});
}

size_t SectorCipher::EncryptBlock(uint64_t index, bool final, ByteView in, MutableByteView out) {
  size_t block = BlockSize(mode_);
  if (mode_ == SectorMode::kEcb) throw Error(code::kUnsupportedAlgorithm, "MICROSOFT.ECB is decryption only");
  if (!final && in.size != block)
    NotAligned("a block that is not final must be " + std::to_string(block) + " bytes, got " + std::to_string(in.size));
  if (final && mode_ == SectorMode::kCbc4k && in.size >= block)
    NotAligned("the final MICROSOFT.CBC4K block holds 0 to 4095 bytes, got " + std::to_string(in.size));
  if (final && in.size > block) NotAligned("a block holds at most " + std::to_string(block) + " bytes");
  uint8_t iv[kAesBlockSize];
  SectorIv(index, iv);
  bool pad = final && mode_ == SectorMode::kCbc4k;
  RequireOut(out, pad ? CiphertextSize(mode_, in.size) : in.size);
  return cbc_.Encrypt({iv, sizeof iv}, in, out, pad ? Padding::kPkcs7 : Padding::kNone);
}

size_t SectorCipher::DecryptBlock(uint64_t index, bool final, ByteView in, MutableByteView out) {
  size_t block = BlockSize(mode_);
  if (!final && in.size != block)
    NotAligned("a block that is not final must be " + std::to_string(block) + " bytes, got " + std::to_string(in.size));
  if (in.size > block || in.size % kAesBlockSize != 0)
    NotAligned("a final block must be a multiple of 16 bytes up to " + std::to_string(block) + ", got " + std::to_string(in.size));
  RequireOut(out, in.size);
  if (mode_ == SectorMode::kEcb) {
    ecb_.Decrypt(in, out);
    return in.size;
  }
  uint8_t iv[kAesBlockSize];
  SectorIv(index, iv);
  bool pad = final && mode_ == SectorMode::kCbc4k;
  return cbc_.Decrypt({iv, sizeof iv}, in, out, pad ? Padding::kPkcs7 : Padding::kNone);
}

size_t SectorCipher::EncryptSectors(ByteView plaintext, size_t first, size_t count, MutableByteView out) {
  size_t block = BlockSize(mode_);
  size_t total = SectorCount(mode_, plaintext.size, false);
  if (mode_ != SectorMode::kCbc4k && plaintext.size % kAesBlockSize != 0)
    NotAligned("content must be a multiple of 16 bytes in this mode, got " + std::to_string(plaintext.size));
  if (first > total || count > total - first) throw Error(code::kInvalidArgument, "sector range out of bounds");
  RequireOut(out, CiphertextSize(mode_, plaintext.size));
  size_t written = 0;
  for (size_t i = first; i < first + count; ++i) {
    size_t offset = i * block;
    size_t n = plaintext.size - offset < block ? plaintext.size - offset : block;
    bool final = i + 1 == total;
    // CBC4K's final call can be empty; the other modes end with their last (partial) sector.
    written += EncryptBlock(i, final, plaintext.subview(offset, n), out.subview(offset, out.size - offset));
  }
  return written;
}

size_t SectorCipher::DecryptSectors(ByteView ciphertext, size_t first, size_t count, MutableByteView out) {
  size_t block = BlockSize(mode_);
  if (ciphertext.size % kAesBlockSize != 0)
    NotAligned("ciphertext must be a multiple of 16 bytes, got " + std::to_string(ciphertext.size));
  if (mode_ == SectorMode::kCbc4k && ciphertext.size == 0)
    throw Error(code::kDecryptionFailed, "MICROSOFT.CBC4K ciphertext cannot be empty");
  size_t total = SectorCount(mode_, ciphertext.size, true);
  if (first > total || count > total - first) throw Error(code::kInvalidArgument, "sector range out of bounds");
  RequireOut(out, ciphertext.size);
  size_t written = 0;
  for (size_t i = first; i < first + count; ++i) {
    size_t offset = i * block;
    size_t n = ciphertext.size - offset < block ? ciphertext.size - offset : block;
    written += DecryptBlock(i, i + 1 == total, ciphertext.subview(offset, n), out.subview(offset, out.size - offset));
  }
  return written;
}

}  // namespace openrms::core
