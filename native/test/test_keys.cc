#include "test_keys.h"

namespace openrms::test {

const core::AsymmetricKey& RsaKey() {
  static const core::AsymmetricKey key = core::AsymmetricKey::GenerateRsa(2048);
  return key;
}

const core::AsymmetricKey& OtherRsaKey() {
  static const core::AsymmetricKey key = core::AsymmetricKey::GenerateRsa(2048);
  return key;
}

const core::AsymmetricKey& EcKey() {
  static const core::AsymmetricKey key = core::AsymmetricKey::GenerateEcP256();
  return key;
}

const core::AsymmetricKey& OtherEcKey() {
  static const core::AsymmetricKey key = core::AsymmetricKey::GenerateEcP256();
  return key;
}

core::AsymmetricKey PublicHalf(const core::AsymmetricKey& key) {
  return core::AsymmetricKey::FromDer(key.ToDer(false));
}

}  // namespace openrms::test
