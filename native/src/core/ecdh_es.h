// ECDH-ES key wrap to a P-256 key: how content keys are wrapped to EC recipients (the EC
// profile of docs/licenses.md, JWA "ECDH-ES+A256KW" with HKDF-SHA256 in place of the Concat KDF).
//
//   Z     = x-coordinate of ECDH(ephemeral private key, recipient public key)  (SP 800-56A, 32 bytes)
//   KEK   = HKDF-SHA256(IKM = Z, salt = epk, info = label, L = 32)            (RFC 5869)
//   wrap  = epk || AES-256-KW(KEK, key)                                       (RFC 3394)
//
// epk is the ephemeral public key as a SEC 1 uncompressed point (0x04 || x || y, 65 bytes).
// It is the HKDF salt because ECDH alone does not bind it: the point's negation (x, p - y)
// gives the same Z, so without it a second wrapped form of the same key would open too.
// A 16-, 24- or 32-byte key gives 65 + 24, 32 or 40 bytes.
#pragma once

#include <vector>

#include "asymmetric_key.h"

namespace openrms::core {

inline constexpr size_t kP256PointSize = 1 + 2 * kP256FieldSize;
// RFC 3394 2.2.1: the output is one 64-bit block longer than the key.
inline constexpr size_t kAesKeyWrapOverhead = 8;

// Wraps `key` (16, 24 or 32 bytes) to the EC `recipient` with a fresh ephemeral key.
std::vector<uint8_t> EcdhEsWrap(const AsymmetricKey& recipient, ByteView key, ByteView label);

// The same with a given ephemeral private key: deterministic, for test vectors only (a
// reused ephemeral key gives every wrap to the same recipient and label the same KEK).
std::vector<uint8_t> EcdhEsWrapWithEphemeral(const AsymmetricKey& recipient, const AsymmetricKey& ephemeral, ByteView key,
                                             ByteView label);

// Derives, unwraps and checks in one call, so the key only ever exists in the result.
// Throws DECRYPTION_FAILED for any wrap that does not open, whatever check failed: a length
// that fits no key size, a point not on the curve or not uncompressed, another label or
// recipient, any changed byte (AES-KW's integrity check).
SecretBytes EcdhEsUnwrap(const AsymmetricKey& recipient, ByteView wrapped, ByteView label);

}  // namespace openrms::core
