#include "ecdh_es_functions.h"

#include <memory>
#include <vector>

#include "../core/ecdh_es.h"
#include "arguments.h"
#include "asymmetric_key_handle.h"
#include "background_job.h"
#include "errors.h"
#include "secret_key_handle.h"

namespace openrms::binding {
namespace {

// (key, secretKeyHandle, label|null, ephemeral?) -> Buffer: the content key never enters
// JavaScript. `ephemeral` is the test vectors' seam (lib/crypto/ecdh-es-vectors.ts); the
// public wrap never passes it.
Napi::Value WrapSecretKey(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = AsymmetricKeyHandle::From(info.Env(), info[0]).key();
    auto secret = SecretKeyHandle::From(info, 1).bytes();
    core::ByteView label = OptionalBytesArg(info, 2, "label");
    std::vector<uint8_t> out =
        info[3].IsUndefined()
            ? core::EcdhEsWrap(*key, secret->view(), label)
            : core::EcdhEsWrapWithEphemeral(*key, *AsymmetricKeyHandle::From(info.Env(), info[3]).key(), secret->view(), label);
    return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
  });
}

// (key, secretKeyHandle, label|null) -> Promise<Buffer>: the wrap on the thread pool. A service
// wrapping a content key into every use license makes an ephemeral key and a derivation each
// time, most of a use license's cost on EC: off the event loop, they run on the other cores.
Napi::Value WrapSecretKeyAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = AsymmetricKeyHandle::From(info.Env(), info[0]).key();
    auto secret = SecretKeyHandle::From(info, 1).bytes();
    core::ByteView label = OptionalBytesArg(info, 2, "label");
    auto wrapped = std::make_shared<std::vector<uint8_t>>();
    return BackgroundJob::Promise(
        info.Env(), {info[2]}, [=] { *wrapped = core::EcdhEsWrap(*key, secret->view(), label); },
        [wrapped](Napi::Env env) -> Napi::Value { return Napi::Buffer<uint8_t>::Copy(env, wrapped->data(), wrapped->size()); });
  });
}

// (key, wrapped, label|null) -> SecretKeyHandle
Napi::Value UnwrapSecretKey(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = AsymmetricKeyHandle::From(info.Env(), info[0]).key();
    core::SecretBytes out = core::EcdhEsUnwrap(*key, BytesArg(info, 1, "wrapped"), OptionalBytesArg(info, 2, "label"));
    return SecretKeyHandle::New(info.Env(), std::move(out));
  });
}

}  // namespace

void RegisterEcdhEsFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("ecdhEsWrapSecretKey", Napi::Function::New<WrapSecretKey>(env, "ecdhEsWrapSecretKey"));
  exports.Set("ecdhEsWrapSecretKeyAsync", Napi::Function::New<WrapSecretKeyAsync>(env, "ecdhEsWrapSecretKeyAsync"));
  exports.Set("ecdhEsUnwrapSecretKey", Napi::Function::New<UnwrapSecretKey>(env, "ecdhEsUnwrapSecretKey"));
}

}  // namespace openrms::binding
