#include "secret_key_handle.h"

#include <string>

#include "../core/digest.h"
#include "../core/error.h"
#include "addon_data.h"
#include "arguments.h"
#include "errors.h"
#include "type_tags.h"

namespace openrms::binding {
namespace {

// Secret keys are AES keys (16/24/32) or HMAC/HKDF keys; the cap bounds a copy into
// native memory, nothing more.
constexpr size_t kMaxSecretKeySize = 1024;

}  // namespace

Napi::Function SecretKeyHandle::DefineClass(Napi::Env env) {
  return ObjectWrap<SecretKeyHandle>::DefineClass(
      env, "SecretKeyHandle",
      {
          InstanceMethod<&SecretKeyHandle::Close>("close"),
          InstanceMethod<&SecretKeyHandle::Export>("export"),
          InstanceAccessor<&SecretKeyHandle::Size>("size"),
          InstanceAccessor<&SecretKeyHandle::IsClosed>("closed"),
      });
}

Napi::Object SecretKeyHandle::New(Napi::Env env, core::SecretBytes bytes) {
  auto owned = std::make_shared<core::SecretBytes>(std::move(bytes));
  return GetAddonData(env).secret_key.New({Napi::External<std::shared_ptr<core::SecretBytes>>::New(env, &owned)});
}

SecretKeyHandle::SecretKeyHandle(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<SecretKeyHandle>(info), HandleLifecycle(info.Env()) {
  if (!info[0].IsExternal())
    ThrowInvalidArgument(info.Env(), "SecretKeyHandle cannot be constructed directly; use createSecretKey");
  bytes_ = *info[0].As<Napi::External<std::shared_ptr<core::SecretBytes>>>().Data();
  TagObject(info.Env(), info.This().As<Napi::Object>(), kSecretKeyTag);
}

SecretKeyHandle::~SecretKeyHandle() { ReleaseOnDestruction(); }

SecretKeyHandle& SecretKeyHandle::From(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  Napi::Value value = info[index];
  if (!HasTag(env, value, kSecretKeyTag))
    ThrowInvalidArgument(env, "key must be a secret key handle");
  SecretKeyHandle* handle = Unwrap(value.As<Napi::Object>());
  if (handle->closed()) throw MakeRmsError(env, core::code::kKeyClosed, "the key has been closed");
  return *handle;
}

void SecretKeyHandle::Release() {
  gcm_.reset();
  cbc_.reset();
  ecb_.reset();
  for (auto& sector : sectors_) sector.reset();
  // SecretBytes wipes itself when its last owner lets go: now, unless a job in flight still
  // holds it, in which case when that job ends.
  bytes_.reset();
}

core::AesGcm& SecretKeyHandle::gcm() {
  if (!gcm_) gcm_ = std::make_unique<core::AesGcm>(bytes_->view());
  return *gcm_;
}

core::AesCbc& SecretKeyHandle::cbc() {
  if (!cbc_) cbc_ = std::make_unique<core::AesCbc>(bytes_->view());
  return *cbc_;
}

core::AesEcb& SecretKeyHandle::ecb() {
  if (!ecb_) ecb_ = std::make_unique<core::AesEcb>(bytes_->view());
  return *ecb_;
}

core::SectorCipher& SecretKeyHandle::sector(core::SectorMode mode) {
  auto& slot = sectors_[static_cast<int>(mode)];
  if (!slot) slot = std::make_unique<core::SectorCipher>(mode, bytes_->view());
  return *slot;
}

Napi::Value SecretKeyHandle::Close(const Napi::CallbackInfo& info) {
  CloseNow();
  return info.Env().Undefined();
}

Napi::Value SecretKeyHandle::IsClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), closed()); }

Napi::Value SecretKeyHandle::Size(const Napi::CallbackInfo& info) {
  if (closed()) throw MakeRmsError(info.Env(), core::code::kKeyClosed, "the key has been closed");
  return Napi::Number::New(info.Env(), static_cast<double>(bytes_->size()));
}

Napi::Value SecretKeyHandle::Export(const Napi::CallbackInfo& info) {
  if (closed()) throw MakeRmsError(info.Env(), core::code::kKeyClosed, "the key has been closed");
  return Napi::Buffer<uint8_t>::Copy(info.Env(), bytes_->data(), bytes_->size());
}

Napi::Value CreateSecretKey(const Napi::CallbackInfo& info) {
  core::ByteView bytes = BytesArg(info, 0, "keyBytes");
  if (bytes.size == 0 || bytes.size > kMaxSecretKeySize)
    ThrowInvalidArgument(info.Env(), "keyBytes must be 1 to " + std::to_string(kMaxSecretKeySize) + " bytes");
  return SecretKeyHandle::New(info.Env(), core::SecretBytes(bytes));
}

Napi::Value GenerateSecretKey(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    uint32_t size = Uint32Arg(info, 0, "size");
    if (size == 0 || size > kMaxSecretKeySize)
      ThrowInvalidArgument(info.Env(), "size must be 1 to " + std::to_string(kMaxSecretKeySize));
    std::vector<uint8_t> zeros(size);
    core::SecretBytes bytes(zeros);
    core::RandomBytes({bytes.data(), bytes.size()});
    return SecretKeyHandle::New(info.Env(), std::move(bytes));
  });
}

}  // namespace openrms::binding

namespace openrms::binding {

Napi::Value DeriveSecretKey(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = SecretKeyHandle::From(info, 0).bytes();
    core::ByteView salt = OptionalBytesArg(info, 1, "salt");
    core::ByteView context = OptionalBytesArg(info, 2, "info");
    uint32_t length = Uint32Arg(info, 3, "length");
    if (length == 0 || length > kMaxSecretKeySize)
      ThrowInvalidArgument(info.Env(), "length must be 1 to " + std::to_string(kMaxSecretKeySize));
    std::vector<uint8_t> zeros(length);
    core::SecretBytes derived(zeros);
    core::HkdfSha256(key->view(), salt, context, {derived.data(), derived.size()});
    return SecretKeyHandle::New(info.Env(), std::move(derived));
  });
}

}  // namespace openrms::binding
