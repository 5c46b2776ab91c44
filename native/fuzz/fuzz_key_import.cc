// AsymmetricKey::FromPem and FromDer on untrusted bytes (a key file, a JWK-less license
// field). They may only ever accept a key or throw core::Error: any other exception escapes
// and aborts, and ASan/UBSan catch memory errors. An accepted key's public half must export
// and re-import to the same key.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/asymmetric_key.h"
#include "core/error.h"
#include "fuzz_check.h"

namespace {

using openrms::core::AsymmetricKey;
using openrms::core::ByteView;

void CheckRoundTrip(const AsymmetricKey& key) {
  std::vector<uint8_t> spki = key.ToDer(false);
  AsymmetricKey public_key = AsymmetricKey::FromDer(spki);
  FUZZ_CHECK(!public_key.has_private());
  FUZZ_CHECK(public_key.type() == key.type());
  FUZZ_CHECK(public_key.ToDer(false) == spki);
  std::string pem = key.ToPem(false);
  FUZZ_CHECK(AsymmetricKey::FromPem({reinterpret_cast<const uint8_t*>(pem.data()), pem.size()}).ToDer(false) == spki);
  // The private half is exported but not imported again: that path is covered by the unit
  // tests, and an RSA private import signs once, which would slow every execution.
  if (key.has_private()) FUZZ_CHECK(!key.ToDer(true).empty());
}

template <class Parse>
void TryImport(Parse parse, ByteView input) {
  try {
    AsymmetricKey key = parse(input);
    CheckRoundTrip(key);
  } catch (const openrms::core::Error&) {
    // The documented way to refuse an input.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  TryImport([](ByteView in) { return AsymmetricKey::FromPem(in); }, input);
  TryImport([](ByteView in) { return AsymmetricKey::FromDer(in); }, input);
  return 0;
}
