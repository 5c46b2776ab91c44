#include "core/signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core_error_code.h"
#include "hex.h"
#include "test_keys.h"

namespace openrms::test {
namespace {

namespace code = core::code;
using core::SignatureAlgorithm;

const core::AsymmetricKey& KeyFor(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::kEs256 ? EcKey() : RsaKey();
}

const core::AsymmetricKey& OtherKeyFor(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::kEs256 ? OtherEcKey() : OtherRsaKey();
}

const core::AsymmetricKey& WrongTypeKeyFor(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::kEs256 ? RsaKey() : EcKey();
}

std::string Name(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kRs256: return "RS256";
    case SignatureAlgorithm::kPs256: return "PS256";
    case SignatureAlgorithm::kEs256: return "ES256";
  }
  return "?";
}

const std::vector<uint8_t> kSigningInput = Bytes("eyJhbGciOiJSUzI1NiJ9.eyJsaWNlbnNlIjoidGVzdCJ9");

class Signature : public ::testing::TestWithParam<SignatureAlgorithm> {};

TEST_P(Signature, VerifiesWhatItSigned) {
  std::vector<uint8_t> sig = core::Sign(GetParam(), KeyFor(GetParam()), kSigningInput);
  EXPECT_EQ(sig.size(), GetParam() == SignatureAlgorithm::kEs256 ? 64u : 256u);
  EXPECT_TRUE(core::Verify(GetParam(), KeyFor(GetParam()), kSigningInput, sig));
  EXPECT_TRUE(core::Verify(GetParam(), PublicHalf(KeyFor(GetParam())), kSigningInput, sig));
}

TEST_P(Signature, SignsEmptyData) {
  std::vector<uint8_t> sig = core::Sign(GetParam(), KeyFor(GetParam()), core::ByteView());
  EXPECT_TRUE(core::Verify(GetParam(), KeyFor(GetParam()), core::ByteView(), sig));
  EXPECT_FALSE(core::Verify(GetParam(), KeyFor(GetParam()), Bytes("x"), sig));
}

TEST_P(Signature, RejectsFlippedSignatureBit) {
  std::vector<uint8_t> sig = core::Sign(GetParam(), KeyFor(GetParam()), kSigningInput);
  for (size_t byte : {size_t{0}, sig.size() / 2, sig.size() - 1}) {
    SCOPED_TRACE(byte);
    std::vector<uint8_t> flipped = sig;
    flipped[byte] ^= 0x01;
    EXPECT_FALSE(core::Verify(GetParam(), KeyFor(GetParam()), kSigningInput, flipped));
  }
}

TEST_P(Signature, RejectsFlippedDataBit) {
  std::vector<uint8_t> sig = core::Sign(GetParam(), KeyFor(GetParam()), kSigningInput);
  std::vector<uint8_t> data = kSigningInput;
  data[5] ^= 0x20;
  EXPECT_FALSE(core::Verify(GetParam(), KeyFor(GetParam()), data, sig));
}

TEST_P(Signature, RejectsSignatureOfAnotherKey) {
  std::vector<uint8_t> sig = core::Sign(GetParam(), OtherKeyFor(GetParam()), kSigningInput);
  EXPECT_FALSE(core::Verify(GetParam(), KeyFor(GetParam()), kSigningInput, sig));
}

TEST_P(Signature, RejectsSignatureOfWrongLengthAsInvalid) {
  std::vector<uint8_t> sig = core::Sign(GetParam(), KeyFor(GetParam()), kSigningInput);
  std::vector<uint8_t> longer = sig, shorter(sig.begin(), sig.end() - 1);
  longer.push_back(0);
  EXPECT_FALSE(core::Verify(GetParam(), KeyFor(GetParam()), kSigningInput, longer));
  EXPECT_FALSE(core::Verify(GetParam(), KeyFor(GetParam()), kSigningInput, shorter));
  EXPECT_FALSE(core::Verify(GetParam(), KeyFor(GetParam()), kSigningInput, core::ByteView()));
}

TEST_P(Signature, RejectsKeyOfTheOtherTypeWithInvalidKey) {
  std::vector<uint8_t> sig(64);
  EXPECT_EQ(CoreErrorCode([&] { core::Sign(GetParam(), WrongTypeKeyFor(GetParam()), kSigningInput); }),
            code::kInvalidKey);
  EXPECT_EQ(CoreErrorCode([&] { core::Verify(GetParam(), WrongTypeKeyFor(GetParam()), kSigningInput, sig); }),
            code::kInvalidKey);
  core::BatchVerifier batch;
  EXPECT_EQ(CoreErrorCode([&] { batch.Verify(GetParam(), WrongTypeKeyFor(GetParam()), kSigningInput, sig); }),
            code::kInvalidKey);
}

TEST_P(Signature, RefusesToSignWithPublicKeyWithInvalidKey) {
  core::AsymmetricKey public_key = PublicHalf(KeyFor(GetParam()));
  EXPECT_EQ(CoreErrorCode([&] { core::Sign(GetParam(), public_key, kSigningInput); }), code::kInvalidKey);
}

INSTANTIATE_TEST_SUITE_P(Jws, Signature,
                         ::testing::Values(SignatureAlgorithm::kRs256, SignatureAlgorithm::kPs256,
                                           SignatureAlgorithm::kEs256),
                         [](const ::testing::TestParamInfo<SignatureAlgorithm>& info) { return Name(info.param); });

TEST(SignatureRs256, IsDeterministicWhilePs256AndEs256AreNot) {
  EXPECT_EQ(core::Sign(SignatureAlgorithm::kRs256, RsaKey(), kSigningInput),
            core::Sign(SignatureAlgorithm::kRs256, RsaKey(), kSigningInput));
  EXPECT_NE(core::Sign(SignatureAlgorithm::kPs256, RsaKey(), kSigningInput),
            core::Sign(SignatureAlgorithm::kPs256, RsaKey(), kSigningInput));
  EXPECT_NE(core::Sign(SignatureAlgorithm::kEs256, EcKey(), kSigningInput),
            core::Sign(SignatureAlgorithm::kEs256, EcKey(), kSigningInput));
}

TEST(SignatureRsa, Rs256AndPs256SignaturesAreNotInterchangeable) {
  std::vector<uint8_t> rs = core::Sign(SignatureAlgorithm::kRs256, RsaKey(), kSigningInput);
  std::vector<uint8_t> ps = core::Sign(SignatureAlgorithm::kPs256, RsaKey(), kSigningInput);
  EXPECT_FALSE(core::Verify(SignatureAlgorithm::kPs256, RsaKey(), kSigningInput, rs));
  EXPECT_FALSE(core::Verify(SignatureAlgorithm::kRs256, RsaKey(), kSigningInput, ps));
}

// JWS ES256 is r || s (RFC 7518 3.4); the DER form OpenSSL produces natively is not accepted.
TEST(SignatureEs256, RejectsDerEncodedSignature) {
  std::vector<uint8_t> p1363 = core::Sign(SignatureAlgorithm::kEs256, EcKey(), kSigningInput);
  ASSERT_EQ(p1363.size(), 64u);
  // SEQUENCE { INTEGER r, INTEGER s } with a leading zero where the high bit is set.
  auto integer = [](const uint8_t* v) {
    std::vector<uint8_t> out = {0x02};
    size_t skip = 0;
    while (skip < 31 && v[skip] == 0) ++skip;
    bool pad = (v[skip] & 0x80) != 0;
    out.push_back(static_cast<uint8_t>(32 - skip + (pad ? 1 : 0)));
    if (pad) out.push_back(0);
    out.insert(out.end(), v + skip, v + 32);
    return out;
  };
  std::vector<uint8_t> r = integer(p1363.data()), s = integer(p1363.data() + 32);
  std::vector<uint8_t> der = {0x30, static_cast<uint8_t>(r.size() + s.size())};
  der.insert(der.end(), r.begin(), r.end());
  der.insert(der.end(), s.begin(), s.end());
  EXPECT_FALSE(core::Verify(SignatureAlgorithm::kEs256, EcKey(), kSigningInput, der));
}

TEST(SignatureEs256, RejectsZeroAndOutOfRangeScalars) {
  std::vector<uint8_t> zero(64, 0), ones(64, 0xFF);
  EXPECT_FALSE(core::Verify(SignatureAlgorithm::kEs256, EcKey(), kSigningInput, zero));
  EXPECT_FALSE(core::Verify(SignatureAlgorithm::kEs256, EcKey(), kSigningInput, ones));
}

struct BatchItem {
  SignatureAlgorithm algorithm;
  const core::AsymmetricKey* key;
  std::vector<uint8_t> data;
  std::vector<uint8_t> signature;
  bool expected;
};

// Interleaves keys and algorithms so each item lands on a context prepared for another key,
// and tampers with some items, so a batch that reused the wrong context or the wrong answer
// would show.
TEST(BatchVerifier, VerifiesInterleavedItemsOverMixedKeysAndAlgorithms) {
  core::AsymmetricKey rsa_public = PublicHalf(RsaKey());
  core::AsymmetricKey ec_public = PublicHalf(EcKey());
  const core::AsymmetricKey* keys[] = {&RsaKey(), &OtherRsaKey(), &EcKey(), &OtherEcKey(), &rsa_public, &ec_public};
  std::vector<BatchItem> items;
  for (int round = 0; round < 3; ++round) {
    for (const core::AsymmetricKey* key : keys) {
      std::vector<SignatureAlgorithm> algorithms;
      if (key->type() == core::KeyType::kRsa)
        algorithms = {SignatureAlgorithm::kRs256, SignatureAlgorithm::kPs256};
      else
        algorithms = {SignatureAlgorithm::kEs256};
      for (SignatureAlgorithm algorithm : algorithms) {
        const core::AsymmetricKey& signer =
            key == &rsa_public ? RsaKey() : key == &ec_public ? EcKey() : *key;
        std::vector<uint8_t> data = Bytes("item " + std::to_string(items.size()));
        std::vector<uint8_t> sig = core::Sign(algorithm, signer, data);
        bool tamper = items.size() % 3 == 1;
        if (tamper) sig[sig.size() / 3] ^= 0x10;
        items.push_back({algorithm, key, data, sig, !tamper});
      }
    }
  }
  // A valid signature presented under a key that did not make it.
  std::vector<uint8_t> data = Bytes("cross");
  items.push_back({SignatureAlgorithm::kRs256, &OtherRsaKey(), data,
                   core::Sign(SignatureAlgorithm::kRs256, RsaKey(), data), false});
  items.push_back({SignatureAlgorithm::kEs256, &OtherEcKey(), data,
                   core::Sign(SignatureAlgorithm::kEs256, EcKey(), data), false});

  core::BatchVerifier batch;
  for (size_t i = 0; i < items.size(); ++i) {
    const BatchItem& item = items[i];
    SCOPED_TRACE("item " + std::to_string(i) + " " + Name(item.algorithm));
    EXPECT_EQ(batch.Verify(item.algorithm, *item.key, item.data, item.signature), item.expected);
    EXPECT_EQ(core::Verify(item.algorithm, *item.key, item.data, item.signature), item.expected);
  }
  // The same batch again: every context is now a reused one.
  for (const BatchItem& item : items)
    EXPECT_EQ(batch.Verify(item.algorithm, *item.key, item.data, item.signature), item.expected);
}

TEST(BatchVerifier, KeepsVerifyingAfterAnInvalidSignature) {
  core::BatchVerifier batch;
  std::vector<uint8_t> sig = core::Sign(SignatureAlgorithm::kPs256, RsaKey(), kSigningInput);
  std::vector<uint8_t> garbage(256, 0xFF);
  EXPECT_FALSE(batch.Verify(SignatureAlgorithm::kPs256, RsaKey(), kSigningInput, garbage));
  EXPECT_FALSE(batch.Verify(SignatureAlgorithm::kPs256, RsaKey(), kSigningInput, core::ByteView()));
  EXPECT_TRUE(batch.Verify(SignatureAlgorithm::kPs256, RsaKey(), kSigningInput, sig));
}

}  // namespace
}  // namespace openrms::test
