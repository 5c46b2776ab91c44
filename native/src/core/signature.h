// JWS signatures (RFC 7518 3.3-3.5): RS256 (RSASSA-PKCS1-v1_5 SHA-256), PS256 (RSASSA-PSS,
// SHA-256, MGF1-SHA-256, 32-byte salt) and ES256 (ECDSA P-256 SHA-256, signature as the
// 64-byte IEEE P1363 r || s, not DER).
#pragma once

#include <map>
#include <utility>

#include "asymmetric_key.h"

namespace openrms::core {

enum class SignatureAlgorithm { kRs256 = 0, kPs256 = 1, kEs256 = 2 };

inline constexpr size_t kEs256SignatureSize = 64;

// Throws INVALID_KEY when `key` cannot make `algorithm` (wrong type, or no private half).
std::vector<uint8_t> Sign(SignatureAlgorithm algorithm, const AsymmetricKey& key, ByteView data);

// A bad signature is `false`, never an exception; only a key of the wrong type throws.
bool Verify(SignatureAlgorithm algorithm, const AsymmetricKey& key, ByteView data, ByteView signature);

// Verifies many signatures on one thread, preparing one OpenSSL context per (key, algorithm)
// and reusing it for every item signed by that key: the per-call context set-up costs more
// than an RSA-2048 verification itself. (Sharing the EVP_PKEY across threads was measured
// against per-thread copies: two threads scale the same, so keys are not copied.)
class BatchVerifier {
 public:
  bool Verify(SignatureAlgorithm algorithm, const AsymmetricKey& key, ByteView data, ByteView signature);

 private:
  std::map<std::pair<EVP_PKEY*, SignatureAlgorithm>, PkeyCtxPtr> contexts_;
};

}  // namespace openrms::core
