#include "signature_functions.h"

#include <memory>
#include <string>
#include <vector>

#include "../core/error.h"
#include "../core/rsa_oaep.h"
#include "../core/signature.h"
#include "arguments.h"
#include "asymmetric_key_handle.h"
#include "background_job.h"
#include "errors.h"
#include "parallel_batch.h"
#include "secret_key_handle.h"

namespace openrms::binding {
namespace {

using core::ByteView;
using core::SignatureAlgorithm;

// Below this many items a thread-pool range costs more to schedule than it saves.
constexpr size_t kMinVerificationsPerThread = 16;

SignatureAlgorithm AlgorithmArg(Napi::Env env, Napi::Value value) {
  if (value.IsNumber()) {
    uint32_t n = value.As<Napi::Number>().Uint32Value();
    if (n <= static_cast<uint32_t>(SignatureAlgorithm::kEs256)) return static_cast<SignatureAlgorithm>(n);
  }
  ThrowInvalidArgument(env, "algorithm must be 0 (RS256), 1 (PS256) or 2 (ES256)");
}

Napi::Value SignFunction(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SignatureAlgorithm alg = AlgorithmArg(info.Env(), info[0]);
    auto key = AsymmetricKeyHandle::From(info.Env(), info[1]).key();
    std::vector<uint8_t> sig = core::Sign(alg, *key, BytesArg(info, 2, "data"));
    return Napi::Buffer<uint8_t>::Copy(info.Env(), sig.data(), sig.size());
  });
}

Napi::Value VerifyFunction(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SignatureAlgorithm alg = AlgorithmArg(info.Env(), info[0]);
    auto key = AsymmetricKeyHandle::From(info.Env(), info[1]).key();
    return Napi::Boolean::New(info.Env(),
                              core::Verify(alg, *key, BytesArg(info, 2, "data"), BytesArg(info, 3, "signature")));
  });
}

// (algorithm, key, data) -> Promise<Buffer>, and (algorithm, key, data, signature) ->
// Promise<boolean>: hashing large data off the JavaScript thread.
Napi::Value SignAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SignatureAlgorithm alg = AlgorithmArg(info.Env(), info[0]);
    auto key = AsymmetricKeyHandle::From(info.Env(), info[1]).key();
    core::ByteView data = BytesArg(info, 2, "data");
    auto sig = std::make_shared<std::vector<uint8_t>>();
    return BackgroundJob::Promise(
        info.Env(), {info[2]}, [=] { *sig = core::Sign(alg, *key, data); },
        [sig](Napi::Env env) -> Napi::Value { return Napi::Buffer<uint8_t>::Copy(env, sig->data(), sig->size()); });
  });
}

Napi::Value VerifyAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SignatureAlgorithm alg = AlgorithmArg(info.Env(), info[0]);
    auto key = AsymmetricKeyHandle::From(info.Env(), info[1]).key();
    core::ByteView data = BytesArg(info, 2, "data");
    core::ByteView signature = BytesArg(info, 3, "signature");
    auto ok = std::make_shared<bool>(false);
    return BackgroundJob::Promise(
        info.Env(), {info[2], info[3]}, [=] { *ok = core::Verify(alg, *key, data, signature); },
        [ok](Napi::Env env) -> Napi::Value { return Napi::Boolean::New(env, *ok); });
  });
}

// Arguments: (algorithms: Uint8Array, keys: handle[], data: bytes[], signatures: bytes[]).
struct VerifyBatch {
  std::vector<SignatureAlgorithm> algorithms;
  std::vector<std::shared_ptr<const core::AsymmetricKey>> keys;
  std::vector<ByteView> data, signatures;
  uint8_t* results = nullptr;
};

VerifyBatch ParseVerifyBatch(const Napi::CallbackInfo& info, Napi::Uint8Array results) {
  Napi::Env env = info.Env();
  if (!info[1].IsArray() || !info[2].IsArray() || !info[3].IsArray())
    ThrowInvalidArgument(env, "keys, data and signatures must be arrays");
  ByteView algorithms = BytesArg(info, 0, "algorithms");
  Napi::Array keys = info[1].As<Napi::Array>(), data = info[2].As<Napi::Array>(), sigs = info[3].As<Napi::Array>();
  size_t n = algorithms.size;
  if (keys.Length() != n || data.Length() != n || sigs.Length() != n)
    ThrowInvalidArgument(env, "algorithms, keys, data and signatures must have the same length");
  VerifyBatch batch;
  batch.algorithms.reserve(n);
  batch.keys.reserve(n);
  batch.data.reserve(n);
  batch.signatures.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (algorithms.data[i] > static_cast<uint8_t>(SignatureAlgorithm::kEs256))
      ThrowInvalidArgument(env, "algorithms[" + std::to_string(i) + "] must be 0 (RS256), 1 (PS256) or 2 (ES256)");
    batch.algorithms.push_back(static_cast<SignatureAlgorithm>(algorithms.data[i]));
    batch.keys.push_back(AsymmetricKeyHandle::From(env, keys.Get(i)).key());
    batch.data.push_back(BytesOfElement(env, data.Get(i), "data", i));
    batch.signatures.push_back(BytesOfElement(env, sigs.Get(i), "signatures", i));
  }
  batch.results = results.Data();
  return batch;
}

void VerifyRange(const VerifyBatch& b, size_t begin, size_t end) {
  core::BatchVerifier verifier;
  for (size_t i = begin; i < end; ++i)
    b.results[i] = verifier.Verify(b.algorithms[i], *b.keys[i], b.data[i], b.signatures[i]) ? 1 : 0;
}

Napi::Value VerifyBatchSync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    Napi::Uint8Array results = Napi::Uint8Array::New(info.Env(), info[0].IsTypedArray() ? BytesArg(info, 0, "algorithms").size : 0);
    VerifyBatch batch = ParseVerifyBatch(info, results);
    VerifyRange(batch, 0, batch.algorithms.size());
    return results;
  });
}

Napi::Value VerifyBatchAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    Napi::Uint8Array results = Napi::Uint8Array::New(info.Env(), info[0].IsTypedArray() ? BytesArg(info, 0, "algorithms").size : 0);
    auto batch = std::make_shared<const VerifyBatch>(ParseVerifyBatch(info, results));
    auto results_ref = std::make_shared<Napi::Reference<Napi::Uint8Array>>(Napi::Persistent(results));
    return ParallelBatch(
        info.Env(), {info[1], info[2], info[3], results}, batch->algorithms.size(), kMinVerificationsPerThread,
        [batch](size_t begin, size_t end) { VerifyRange(*batch, begin, end); },
        [results_ref](Napi::Env) -> Napi::Value { return results_ref->Value(); });
  });
}

// ---- RSA-OAEP-256 ----------------------------------------------------------------------
// (key, message, label|null) -> Buffer
Napi::Value OaepWrap(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = AsymmetricKeyHandle::From(info.Env(), info[0]).key();
    std::vector<uint8_t> out = core::RsaOaepWrap(*key, BytesArg(info, 1, "message"), OptionalBytesArg(info, 2, "label"));
    return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
  });
}

// (key, ciphertext, label|null) -> Buffer
Napi::Value OaepUnwrap(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = AsymmetricKeyHandle::From(info.Env(), info[0]).key();
    core::SecretBytes out = core::RsaOaepUnwrap(*key, BytesArg(info, 1, "ciphertext"), OptionalBytesArg(info, 2, "label"));
    return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
  });
}

// (key, secretKeyHandle, label|null) -> Buffer: the content key never enters JavaScript.
Napi::Value OaepWrapSecretKey(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = AsymmetricKeyHandle::From(info.Env(), info[0]).key();
    auto secret = SecretKeyHandle::From(info, 1).bytes();
    std::vector<uint8_t> out = core::RsaOaepWrap(*key, secret->view(), OptionalBytesArg(info, 2, "label"));
    return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
  });
}

// (key, ciphertext, label|null) -> SecretKeyHandle
Napi::Value OaepUnwrapSecretKey(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = AsymmetricKeyHandle::From(info.Env(), info[0]).key();
    core::SecretBytes out = core::RsaOaepUnwrap(*key, BytesArg(info, 1, "ciphertext"), OptionalBytesArg(info, 2, "label"));
    return SecretKeyHandle::New(info.Env(), std::move(out));
  });
}

}  // namespace

void RegisterSignatureFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("sign", Napi::Function::New<SignFunction>(env, "sign"));
  exports.Set("verify", Napi::Function::New<VerifyFunction>(env, "verify"));
  exports.Set("signAsync", Napi::Function::New<SignAsync>(env, "signAsync"));
  exports.Set("verifyAsync", Napi::Function::New<VerifyAsync>(env, "verifyAsync"));
  exports.Set("verifyBatch", Napi::Function::New<VerifyBatchSync>(env, "verifyBatch"));
  exports.Set("verifyBatchAsync", Napi::Function::New<VerifyBatchAsync>(env, "verifyBatchAsync"));
  exports.Set("rsaOaepWrap", Napi::Function::New<OaepWrap>(env, "rsaOaepWrap"));
  exports.Set("rsaOaepUnwrap", Napi::Function::New<OaepUnwrap>(env, "rsaOaepUnwrap"));
  exports.Set("rsaOaepWrapSecretKey", Napi::Function::New<OaepWrapSecretKey>(env, "rsaOaepWrapSecretKey"));
  exports.Set("rsaOaepUnwrapSecretKey", Napi::Function::New<OaepUnwrapSecretKey>(env, "rsaOaepUnwrapSecretKey"));
}

}  // namespace openrms::binding
