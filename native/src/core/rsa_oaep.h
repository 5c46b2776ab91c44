// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 7.1): how content keys are wrapped.
#pragma once

#include "asymmetric_key.h"

namespace openrms::core {

// Largest message RSA-OAEP-256 can wrap under `key` (k - 2*32 - 2 bytes).
size_t RsaOaepMaxMessageSize(const AsymmetricKey& key);

std::vector<uint8_t> RsaOaepWrap(const AsymmetricKey& key, ByteView message, ByteView label);

// Throws DECRYPTION_FAILED for any malformed or foreign ciphertext; the code does not say
// which check failed (RFC 8017 7.1.2 note: one error for every decoding failure).
SecretBytes RsaOaepUnwrap(const AsymmetricKey& key, ByteView ciphertext, ByteView label);

}  // namespace openrms::core
