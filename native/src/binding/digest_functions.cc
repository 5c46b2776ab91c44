#include "digest_functions.h"

#include "../core/digest.h"
#include "arguments.h"
#include "background_job.h"
#include "errors.h"

namespace openrms::binding {
namespace {

Napi::Value Sha256(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), core::kSha256Size);
    core::Sha256Digest(BytesArg(info, 0, "data"), {out.Data(), out.Length()});
    return out;
  });
}

Napi::Value Sha256Async(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    core::ByteView data = BytesArg(info, 0, "data");
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), core::kSha256Size);
    core::MutableByteView target(out.Data(), out.Length());
    return BackgroundJob::Promise(
        info.Env(), {info[0], out}, [=] { core::Sha256Digest(data, target); },
        [ref = std::make_shared<Napi::Reference<Napi::Buffer<uint8_t>>>(Napi::Persistent(out))](Napi::Env) -> Napi::Value {
          return ref->Value();
        });
  });
}

// (key, data) -> Promise<Buffer>: the key is copied (it is small), the data read in place.
Napi::Value HmacSha256Async(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = std::make_shared<const core::SecretBytes>(BytesArg(info, 0, "key"));
    core::ByteView data = BytesArg(info, 1, "data");
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), core::kSha256Size);
    core::MutableByteView target(out.Data(), out.Length());
    return BackgroundJob::Promise(
        info.Env(), {info[1], out}, [=] { core::HmacSha256(key->view(), data, target); },
        [ref = std::make_shared<Napi::Reference<Napi::Buffer<uint8_t>>>(Napi::Persistent(out))](Napi::Env) -> Napi::Value {
          return ref->Value();
        });
  });
}

Napi::Value HmacSha256(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), core::kSha256Size);
    core::HmacSha256(BytesArg(info, 0, "key"), BytesArg(info, 1, "data"), {out.Data(), out.Length()});
    return out;
  });
}

Napi::Value HmacSha256Verify(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), core::VerifyHmacSha256(BytesArg(info, 0, "key"), BytesArg(info, 1, "data"),
                                                                 BytesArg(info, 2, "tag")));
  });
}

Napi::Value HkdfSha256(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    uint32_t length = Uint32Arg(info, 3, "length");
    if (length == 0 || length > core::kHkdfSha256MaxOutput)
      ThrowInvalidArgument(info.Env(), "length must be 1 to 8160");
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), length);
    core::HkdfSha256(BytesArg(info, 0, "ikm"), OptionalBytesArg(info, 1, "salt"), OptionalBytesArg(info, 2, "info"),
                     {out.Data(), out.Length()});
    return out;
  });
}

Napi::Value RandomFill(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    core::RandomBytes(OutputArg(info, 0, "buffer"));
    return info.Env().Undefined();
  });
}

}  // namespace

void RegisterDigestFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("sha256", Napi::Function::New<Sha256>(env, "sha256"));
  exports.Set("sha256Async", Napi::Function::New<Sha256Async>(env, "sha256Async"));
  exports.Set("hmacSha256", Napi::Function::New<HmacSha256>(env, "hmacSha256"));
  exports.Set("hmacSha256Async", Napi::Function::New<HmacSha256Async>(env, "hmacSha256Async"));
  exports.Set("hmacSha256Verify", Napi::Function::New<HmacSha256Verify>(env, "hmacSha256Verify"));
  exports.Set("hkdfSha256", Napi::Function::New<HkdfSha256>(env, "hkdfSha256"));
  exports.Set("randomFill", Napi::Function::New<RandomFill>(env, "randomFill"));
}

}  // namespace openrms::binding
