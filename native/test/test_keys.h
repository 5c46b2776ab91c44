// Key pairs generated once per test process: RSA-2048 generation costs up to a second (more
// under ASan), far too much to repeat in every test.
#pragma once

#include "core/asymmetric_key.h"

namespace openrms::test {

const core::AsymmetricKey& RsaKey();
const core::AsymmetricKey& OtherRsaKey();
const core::AsymmetricKey& EcKey();
const core::AsymmetricKey& OtherEcKey();

// The public half of `key`, imported from its SPKI DER.
core::AsymmetricKey PublicHalf(const core::AsymmetricKey& key);

}  // namespace openrms::test
