// Verify and BatchVerifier on an untrusted signature over untrusted data, with fixed RSA-2048
// and EC P-256 keys. The ES256 path runs the P1363 (r || s) to DER conversion on whatever the
// input holds. Verification must answer false (a forgery would be a finding), never throw,
// and the batch verifier, whose contexts persist across inputs, must agree with Verify.
//
// Input: byte 0 selects the algorithm (bits 0-1) and whether to also check that a genuine
// signature of the data verifies (bit 2); bytes 1-2 give the signature length (little
// endian, clipped to what is left); then the signature; the rest is the signed data.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/asymmetric_key.h"
#include "core/error.h"
#include "core/signature.h"
#include "fuzz_check.h"

namespace {

using openrms::core::AsymmetricKey;
using openrms::core::BatchVerifier;
using openrms::core::ByteView;
using openrms::core::SignatureAlgorithm;

const AsymmetricKey& RsaKey() {
  static const AsymmetricKey key = AsymmetricKey::GenerateRsa(2048);
  return key;
}

const AsymmetricKey& EcKey() {
  static const AsymmetricKey key = AsymmetricKey::GenerateEcP256();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  RsaKey();
  EcKey();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static BatchVerifier batch;
  if (size < 3) return 0;
  static const SignatureAlgorithm kAlgorithms[4] = {SignatureAlgorithm::kRs256, SignatureAlgorithm::kPs256,
                                                    SignatureAlgorithm::kEs256, SignatureAlgorithm::kEs256};
  SignatureAlgorithm algorithm = kAlgorithms[data[0] & 3];
  bool check_genuine = (data[0] & 4) != 0;
  size_t signature_size = static_cast<size_t>(data[1]) | static_cast<size_t>(data[2]) << 8;
  ByteView rest(data + 3, size - 3);
  if (signature_size > rest.size) signature_size = rest.size;
  ByteView signature = rest.subview(0, signature_size);
  ByteView signed_data = rest.subview(signature_size, rest.size - signature_size);
  const AsymmetricKey& key = algorithm == SignatureAlgorithm::kEs256 ? EcKey() : RsaKey();

  bool single = openrms::core::Verify(algorithm, key, signed_data, signature);
  bool batched = batch.Verify(algorithm, key, signed_data, signature);
  FUZZ_CHECK(single == batched);
  FUZZ_CHECK(!single);  // keys are made at start-up: the fuzzer cannot know them

  if (check_genuine) {
    std::vector<uint8_t> genuine = openrms::core::Sign(algorithm, key, signed_data);
    FUZZ_CHECK(openrms::core::Verify(algorithm, key, signed_data, genuine));
    FUZZ_CHECK(batch.Verify(algorithm, key, signed_data, genuine));
  }
  return 0;
}
