// SHA-256, HMAC-SHA256 and HKDF-SHA256 (RFC 2104, RFC 5869).
#pragma once

#include "bytes.h"

namespace openrms::core {

inline constexpr size_t kSha256Size = 32;
// RFC 5869 section 2.3: L <= 255 * HashLen.
inline constexpr size_t kHkdfSha256MaxOutput = 255 * kSha256Size;
// Shortest truncated HMAC tag accepted by VerifyHmacSha256 (NIST SP 800-107 floor for a
// 128-bit security level).
inline constexpr size_t kHmacMinTagSize = 16;

void Sha256Digest(ByteView data, MutableByteView out);
void HmacSha256(ByteView key, ByteView data, MutableByteView out);
// Constant-time check of a tag of kHmacMinTagSize..32 bytes (a truncated tag is compared
// with the leading bytes of the full MAC).
bool VerifyHmacSha256(ByteView key, ByteView data, ByteView tag);
// Fills `out` (1..kHkdfSha256MaxOutput bytes) with HKDF-SHA256(ikm, salt, info).
void HkdfSha256(ByteView ikm, ByteView salt, ByteView info, MutableByteView out);

void RandomBytes(MutableByteView out);

}  // namespace openrms::core
