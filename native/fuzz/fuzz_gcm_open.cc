// AesGcm::Open on untrusted ciphertext, tag, IV and AAD under a fixed key. Open must answer
// false and leave the output zeroed (a true would be a forgery), throw only core::Error (for
// an IV length it refuses), and a Seal of the same bytes must open again to them.
//
// Input: byte 0 is the IV length (0..255, so the refused lengths 0 and 129.. are reached
// too), byte 1 the AAD length; then IV, 16-byte tag, AAD (each clipped to what is left); the
// rest is ciphertext.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/aes_gcm.h"
#include "core/error.h"
#include "fuzz_check.h"

namespace {

using openrms::core::AesGcm;
using openrms::core::ByteView;
using openrms::core::kGcmTagSize;

ByteView Take(ByteView& rest, size_t n) {
  if (n > rest.size) n = rest.size;
  ByteView taken = rest.subview(0, n);
  rest = rest.subview(n, rest.size - n);
  return taken;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const uint8_t kKey[32] = {0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae,
                                   0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61,
                                   0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
  // One object for the whole run, as a worker thread keeps one per key: state left by one
  // input (IV length, a failed tag check) must not affect the next.
  static AesGcm gcm({kKey, sizeof kKey});
  if (size < 2 + kGcmTagSize) return 0;
  size_t iv_size = data[0], aad_size = data[1];
  ByteView rest(data + 2, size - 2);
  ByteView iv = Take(rest, iv_size);
  ByteView tag = Take(rest, kGcmTagSize);
  ByteView aad = Take(rest, aad_size);
  ByteView ciphertext = rest;
  if (tag.size != kGcmTagSize) return 0;

  try {
    std::vector<uint8_t> plaintext(ciphertext.size, 0xA5);
    bool opened = gcm.Open(iv, aad, ciphertext, tag, plaintext);
    FUZZ_CHECK(!opened);
    for (uint8_t b : plaintext) FUZZ_CHECK(b == 0);

    std::vector<uint8_t> sealed(ciphertext.size), new_tag(kGcmTagSize), reopened(ciphertext.size);
    gcm.Seal(iv, aad, ciphertext, sealed, new_tag);
    FUZZ_CHECK(gcm.Open(iv, aad, sealed, new_tag, reopened));
    FUZZ_CHECK(ciphertext.size == 0 || std::memcmp(reopened.data(), ciphertext.data, ciphertext.size) == 0);
  } catch (const openrms::core::Error& e) {
    // The only inputs this target can make that the core refuses: IV lengths outside
    // 1..kGcmMaxIvSize (OpenSSL's provider holds at most 128 IV bytes).
    FUZZ_CHECK(iv.size == 0 || iv.size > openrms::core::kGcmMaxIvSize);
    FUZZ_CHECK(std::strcmp(e.code(), openrms::core::code::kInvalidArgument) == 0);
  }
  return 0;
}
