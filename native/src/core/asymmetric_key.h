// RSA (2048..8192 bits) and EC P-256 keys: generation, import and export as PKCS#8 / SPKI
// (PEM or DER) and as raw JWK components. An imported key is parsed and checked once.
#pragma once

#include <string>
#include <vector>

#include "bytes.h"
#include "openssl_types.h"

namespace openrms::core {

enum class KeyType { kRsa, kEcP256 };

inline constexpr int kRsaMinBits = 2048;
// Above 8192 bits private operations take seconds; no RMS deployment uses such keys.
inline constexpr int kRsaMaxBits = 8192;
// The public exponent: odd (an even one makes no permutation), at least 3 (1 makes every
// "encryption" the padded plaintext and every signature forgeable) and at most 32 bits, since
// each wrap and verification is a power to it: a 3072-bit exponent made one wrap 40 times the
// cost of 65537's, and OpenSSL refuses one over 64 bits with a modulus over 3072 bits only when
// it is used (a service's use license failing as an internal error).
inline constexpr int kRsaMaxExponentBits = 32;
inline constexpr size_t kP256FieldSize = 32;

// Big-endian unsigned integers, as in a JWK after base64url decoding (RFC 7518 6.3).
// Private members are empty for a public key.
struct RsaComponents {
  std::vector<uint8_t> n, e;
  SecretBytes d, p, q, dp, dq, qi;
};

// RFC 7518 6.2: x, y (and d) are exactly 32 bytes for P-256.
struct EcComponents {
  std::vector<uint8_t> x, y;
  SecretBytes d;
};

class AsymmetricKey {
 public:
  static AsymmetricKey GenerateRsa(int bits);
  static AsymmetricKey GenerateEcP256();
  // PEM text: "PUBLIC KEY" (SPKI), "PRIVATE KEY" (PKCS#8), or the traditional "RSA PRIVATE
  // KEY" / "EC PRIVATE KEY". Encrypted PEM is refused (no passphrase prompt, ever).
  static AsymmetricKey FromPem(ByteView pem);
  // DER: SPKI or PKCS#8.
  static AsymmetricKey FromDer(ByteView der);
  static AsymmetricKey FromRsaComponents(const RsaComponents& c);
  static AsymmetricKey FromEcComponents(const EcComponents& c);

  std::string ToPem(bool include_private) const;
  std::vector<uint8_t> ToDer(bool include_private) const;
  RsaComponents ToRsaComponents(bool include_private) const;
  EcComponents ToEcComponents(bool include_private) const;

  KeyType type() const { return type_; }
  bool has_private() const { return has_private_; }
  int bits() const;
  EVP_PKEY* pkey() const { return pkey_.get(); }

 private:
  // Checks type, size and (for private keys) that the halves match.
  AsymmetricKey(PkeyPtr pkey, bool has_private);
  void CheckPrivateMatchesPublic() const;

  PkeyPtr pkey_;
  KeyType type_;
  bool has_private_;
};

}  // namespace openrms::core
