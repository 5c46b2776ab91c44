// EcdhEsUnwrap on untrusted bytes under a fixed P-256 key. It must throw DECRYPTION_FAILED
// and nothing else (another code would tell an attacker which check failed); a wrap that
// opens (the seed's, and what mutations keep whole) gives a key of the size its length says,
// and a wrap of the input's key bytes must unwrap again.
//
// Input: byte 0 is the label length; then the label (clipped to what is left); the rest is
// the wrapped key. The seed corpus should hold one real wrap (see README.md).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/ecdh_es.h"
#include "core/error.h"
#include "fuzz_check.h"

namespace {

using openrms::core::AsymmetricKey;
using openrms::core::ByteView;

std::vector<uint8_t> Hex(const char* text) {
  std::vector<uint8_t> out;
  for (size_t i = 0; text[i] != 0 && text[i + 1] != 0; i += 2) {
    auto nibble = [](char c) { return static_cast<uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
    out.push_back(static_cast<uint8_t>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  }
  return out;
}

// RFC 7518 Appendix C's "Bob", the recipient of the EC test vectors, so a seed can hold a
// real wrap to it.
const AsymmetricKey& Recipient() {
  static const AsymmetricKey key = [] {
    openrms::core::EcComponents c;
    c.x = Hex("c1e349cb61ec70248ce801034c3834e1b88ebe1161cb25af38741f785fcfc4c4");
    c.y = Hex("7bc96708ef80952b53f8d2555fe72b841ed04588628b1d378a594939500ec9c9");
    c.d = openrms::core::SecretBytes(Hex("5449836690d75caf29f0dd029ddb31b3ddb8aba9d2d515c5012465e817d4a9dc"));
    return AsymmetricKey::FromEcComponents(c);
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t label_size = data[0] < size - 1 ? data[0] : size - 1;
  ByteView label(data + 1, label_size);
  ByteView wrapped(data + 1 + label_size, size - 1 - label_size);

  try {
    openrms::core::SecretBytes key = openrms::core::EcdhEsUnwrap(Recipient(), wrapped, label);
    // Only a real wrap opens (a seed); what opened must wrap and open again under the label.
    FUZZ_CHECK(key.size() == wrapped.size - 65 - 8);
    std::vector<uint8_t> again = openrms::core::EcdhEsWrap(Recipient(), key.view(), label);
    FUZZ_CHECK(openrms::core::EcdhEsUnwrap(Recipient(), again, label).size() == key.size());
  } catch (const openrms::core::Error& e) {
    FUZZ_CHECK(std::strcmp(e.code(), openrms::core::code::kDecryptionFailed) == 0);
  }

  // What the input leaves after the point, as a key to wrap: round trips when its size fits.
  if (wrapped.size >= 65 + 32) {
    ByteView key = wrapped.subview(65, 32);
    std::vector<uint8_t> sealed = openrms::core::EcdhEsWrap(Recipient(), key, label);
    openrms::core::SecretBytes back = openrms::core::EcdhEsUnwrap(Recipient(), sealed, label);
    FUZZ_CHECK(back.size() == 32 && std::memcmp(back.data(), key.data, 32) == 0);
  }
  return 0;
}
