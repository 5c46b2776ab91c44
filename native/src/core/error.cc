#include "error.h"

#include <openssl/err.h>

namespace openrms::core {

void ThrowOpenSslError(const char* what) {
  std::string message(what);
  unsigned long err = ERR_get_error();
  if (err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof buf);
    message += ": ";
    message += buf;
  }
  ERR_clear_error();
  throw Error(code::kCryptoFailure, message);
}

void ClearOpenSslErrors() noexcept { ERR_clear_error(); }

}  // namespace openrms::core
