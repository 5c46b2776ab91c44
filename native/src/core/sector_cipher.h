// The Microsoft RMS sector cipher modes (read and written for compatibility; openrms's own
// default is AES256-GCM-STREAM). Content is cut into fixed-size sectors, each encrypted on
// its own, so any sector can be processed given its number (MSIPC's IpcEncrypt/IpcDecrypt):
//
//   MICROSOFT.CBC4K            4096-byte sectors; sector i is AES-CBC under
//                              IV = AES-ECB(K, LE32(i) || 12 zero bytes). Whole sectors carry no
//                              padding; the final call pads its 0..4095 remaining bytes with
//                              PKCS#7 under the next sector number, so content that is an exact
//                              multiple of 4096 gains one 16-byte block.
//   MICROSOFT.CBC512.NOPADDING 512-byte sectors; IV = AES-ECB(K, LE64(i * 512) || 8 zero bytes);
//                              no padding (content must be a multiple of 16 bytes).
//   MICROSOFT.ECB              AES-ECB, no padding; decryption only.
#pragma once

#include <cstdint>

#include "aes_cbc.h"

namespace openrms::core {

enum class SectorMode { kCbc4k = 0, kCbc512NoPadding = 1, kEcb = 2 };

class SectorCipher {
 public:
  SectorCipher(SectorMode mode, ByteView key);

  static size_t BlockSize(SectorMode mode);
  // Size of the ciphertext of `plaintext_size` bytes (CBC4K adds 1..16 bytes of padding).
  static size_t CiphertextSize(SectorMode mode, size_t plaintext_size);

  SectorMode mode() const { return mode_; }

  // One block by number. A block that is not final must be exactly BlockSize() bytes. A
  // final CBC4K block holds 0..4095 plaintext bytes and comes out padded; a final block in
  // the other modes is a multiple of 16 bytes up to BlockSize(). Misaligned input is
  // NOT_BLOCK_ALIGNED. Returns the bytes written to `out`.
  size_t EncryptBlock(uint64_t index, bool final, ByteView in, MutableByteView out);
  size_t DecryptBlock(uint64_t index, bool final, ByteView in, MutableByteView out);

  // Sectors [first, first + count) of a whole message, where `plaintext` / `ciphertext` is
  // the whole message: the ranges a thread pool splits a large buffer into. Returns bytes
  // written (at the sectors' own offsets in `out`).
  size_t EncryptSectors(ByteView plaintext, size_t first, size_t count, MutableByteView out);
  size_t DecryptSectors(ByteView ciphertext, size_t first, size_t count, MutableByteView out);

  // Number of sector calls a whole message of `size` bytes makes (the final one included).
  static size_t SectorCount(SectorMode mode, size_t size, bool ciphertext);

 private:
  void SectorIv(uint64_t index, uint8_t iv[kAesBlockSize]);

  SectorMode mode_;
  AesCbc cbc_;
  AesEcb ecb_;
};

}  // namespace openrms::core
