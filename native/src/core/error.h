// Coded failures of the crypto core. The binding turns each into a JavaScript RmsError
// with the same code, so callers branch on `code`, never on message text (DESIGN 5).
#pragma once

#include <stdexcept>
#include <string>

namespace openrms::core {

// Stable codes. They are part of the public contract: never rename one.
namespace code {
inline constexpr const char* kInvalidArgument = "INVALID_ARGUMENT";
inline constexpr const char* kInvalidKey = "INVALID_KEY";
inline constexpr const char* kKeyClosed = "KEY_CLOSED";
inline constexpr const char* kDecryptionFailed = "DECRYPTION_FAILED";
inline constexpr const char* kNotBlockAligned = "NOT_BLOCK_ALIGNED";
inline constexpr const char* kUnsupportedAlgorithm = "UNSUPPORTED_ALGORITHM";
inline constexpr const char* kCryptoFailure = "CRYPTO_FAILURE";
inline constexpr const char* kInvalidFormat = "INVALID_FORMAT";
inline constexpr const char* kUnsupportedVersion = "UNSUPPORTED_VERSION";
inline constexpr const char* kFileIsNotEncrypted = "FILE_IS_NOT_ENCRYPTED";
}  // namespace code

class Error : public std::runtime_error {
 public:
  Error(const char* code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  const char* code() const noexcept { return code_; }

 private:
  const char* code_;
};

// Throws CRYPTO_FAILURE with OpenSSL's last error appended (and clears its error queue so
// a stale entry never leaks into a later, unrelated failure).
[[noreturn]] void ThrowOpenSslError(const char* what);

// Clears OpenSSL's thread-local error queue after an expected failure (a bad tag, a bad
// signature) so it does not accumulate.
void ClearOpenSslErrors() noexcept;

}  // namespace openrms::core
