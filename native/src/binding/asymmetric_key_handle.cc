#include "asymmetric_key_handle.h"

#include <string>

#include "../core/error.h"
#include "addon_data.h"
#include "arguments.h"
#include "background_job.h"
#include "errors.h"
#include "type_tags.h"

namespace openrms::binding {
namespace {

// Key types as lib/native.ts names them.
constexpr const char* kRsa = "rsa";
constexpr const char* kEc = "ec";

core::AsymmetricKey Generate(const std::string& type, uint32_t bits) {
  if (type == kRsa) return core::AsymmetricKey::GenerateRsa(static_cast<int>(bits));
  if (type == kEc) return core::AsymmetricKey::GenerateEcP256();
  throw core::Error(core::code::kUnsupportedAlgorithm, "key type must be 'rsa' or 'ec'");
}

std::vector<uint8_t> Component(Napi::Env env, Napi::Object from, const char* name) {
  Napi::Value value = from.Get(name);
  if (value.IsUndefined()) return {};
  core::ByteView bytes = BytesOf(env, value, name);
  return std::vector<uint8_t>(bytes.data, bytes.data + bytes.size);
}

core::SecretBytes SecretComponent(Napi::Env env, Napi::Object from, const char* name) {
  Napi::Value value = from.Get(name);
  if (value.IsUndefined()) return {};
  return core::SecretBytes(BytesOf(env, value, name));
}

void SetBytes(Napi::Env env, Napi::Object to, const char* name, core::ByteView bytes) {
  to.Set(name, Napi::Buffer<uint8_t>::Copy(env, bytes.data, bytes.size));
}

Napi::Object RequireObject(const Napi::CallbackInfo& info) {
  if (!info[0].IsObject()) ThrowInvalidArgument(info.Env(), "components must be an object");
  return info[0].As<Napi::Object>();
}

}  // namespace

Napi::Function AsymmetricKeyHandle::DefineClass(Napi::Env env) {
  return ObjectWrap<AsymmetricKeyHandle>::DefineClass(
      env, "AsymmetricKeyHandle",
      {
          InstanceMethod<&AsymmetricKeyHandle::Close>("close"),
          InstanceMethod<&AsymmetricKeyHandle::ExportPem>("exportPem"),
          InstanceMethod<&AsymmetricKeyHandle::ExportDer>("exportDer"),
          InstanceMethod<&AsymmetricKeyHandle::ExportComponents>("exportComponents"),
          InstanceAccessor<&AsymmetricKeyHandle::IsClosed>("closed"),
          InstanceAccessor<&AsymmetricKeyHandle::Type>("type"),
          InstanceAccessor<&AsymmetricKeyHandle::Bits>("bits"),
          InstanceAccessor<&AsymmetricKeyHandle::HasPrivate>("hasPrivate"),
      });
}

Napi::Object AsymmetricKeyHandle::New(Napi::Env env, core::AsymmetricKey key) {
  auto shared = std::make_shared<const core::AsymmetricKey>(std::move(key));
  return GetAddonData(env).asymmetric_key.New(
      {Napi::External<std::shared_ptr<const core::AsymmetricKey>>::New(env, &shared)});
}

AsymmetricKeyHandle::AsymmetricKeyHandle(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<AsymmetricKeyHandle>(info), HandleLifecycle(info.Env()) {
  if (!info[0].IsExternal())
    ThrowInvalidArgument(info.Env(), "AsymmetricKeyHandle cannot be constructed directly; use an import function");
  key_ = *info[0].As<Napi::External<std::shared_ptr<const core::AsymmetricKey>>>().Data();
  TagObject(info.Env(), info.This().As<Napi::Object>(), kAsymmetricKeyTag);
}

AsymmetricKeyHandle::~AsymmetricKeyHandle() { ReleaseOnDestruction(); }

AsymmetricKeyHandle& AsymmetricKeyHandle::From(Napi::Env env, Napi::Value value) {
  if (!HasTag(env, value, kAsymmetricKeyTag))
    ThrowInvalidArgument(env, "key must be an asymmetric key handle");
  AsymmetricKeyHandle* handle = Unwrap(value.As<Napi::Object>());
  if (handle->closed()) throw MakeRmsError(env, core::code::kKeyClosed, "the key has been closed");
  return *handle;
}

const core::AsymmetricKey& AsymmetricKeyHandle::Open(Napi::Env env) const {
  if (closed()) throw MakeRmsError(env, core::code::kKeyClosed, "the key has been closed");
  return *key_;
}

void AsymmetricKeyHandle::Release() { key_.reset(); }

Napi::Value AsymmetricKeyHandle::Close(const Napi::CallbackInfo& info) {
  CloseNow();
  return info.Env().Undefined();
}

Napi::Value AsymmetricKeyHandle::IsClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), closed());
}

Napi::Value AsymmetricKeyHandle::Type(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), Open(info.Env()).type() == core::KeyType::kRsa ? kRsa : kEc);
}

Napi::Value AsymmetricKeyHandle::Bits(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), Open(info.Env()).bits());
}

Napi::Value AsymmetricKeyHandle::HasPrivate(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Open(info.Env()).has_private());
}

Napi::Value AsymmetricKeyHandle::ExportPem(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    return Napi::String::New(info.Env(), Open(info.Env()).ToPem(BoolArg(info, 0, "includePrivate")));
  });
}

Napi::Value AsymmetricKeyHandle::ExportDer(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    std::vector<uint8_t> der = Open(info.Env()).ToDer(BoolArg(info, 0, "includePrivate"));
    return Napi::Buffer<uint8_t>::Copy(info.Env(), der.data(), der.size());
  });
}

Napi::Value AsymmetricKeyHandle::ExportComponents(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    const core::AsymmetricKey& key = Open(env);
    bool include_private = BoolArg(info, 0, "includePrivate");
    Napi::Object out = Napi::Object::New(env);
    if (key.type() == core::KeyType::kRsa) {
      core::RsaComponents c = key.ToRsaComponents(include_private);
      SetBytes(env, out, "n", c.n);
      SetBytes(env, out, "e", c.e);
      if (include_private) {
        SetBytes(env, out, "d", c.d.view());
        SetBytes(env, out, "p", c.p.view());
        SetBytes(env, out, "q", c.q.view());
        SetBytes(env, out, "dp", c.dp.view());
        SetBytes(env, out, "dq", c.dq.view());
        SetBytes(env, out, "qi", c.qi.view());
      }
    } else {
      core::EcComponents c = key.ToEcComponents(include_private);
      SetBytes(env, out, "x", c.x);
      SetBytes(env, out, "y", c.y);
      if (include_private) SetBytes(env, out, "d", c.d.view());
    }
    return out;
  });
}

Napi::Value GenerateKeyPair(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    std::string type = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    uint32_t bits = type == kRsa ? Uint32Arg(info, 1, "modulusLength") : 0;
    return AsymmetricKeyHandle::New(info.Env(), Generate(type, bits));
  });
}

Napi::Value GenerateKeyPairAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    std::string type = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    uint32_t bits = type == kRsa ? Uint32Arg(info, 1, "modulusLength") : 0;
    auto result = std::make_shared<std::unique_ptr<core::AsymmetricKey>>();
    return BackgroundJob::Promise(
        info.Env(), {}, [=] { *result = std::make_unique<core::AsymmetricKey>(Generate(type, bits)); },
        [=](Napi::Env env) -> Napi::Value { return AsymmetricKeyHandle::New(env, std::move(**result)); });
  });
}

Napi::Value ImportKeyPem(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    return AsymmetricKeyHandle::New(info.Env(), core::AsymmetricKey::FromPem(BytesArg(info, 0, "pem")));
  });
}

Napi::Value ImportKeyDer(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    return AsymmetricKeyHandle::New(info.Env(), core::AsymmetricKey::FromDer(BytesArg(info, 0, "der")));
  });
}

Napi::Value ImportRsaComponents(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object from = RequireObject(info);
    core::RsaComponents c;
    c.n = Component(env, from, "n");
    c.e = Component(env, from, "e");
    c.d = SecretComponent(env, from, "d");
    c.p = SecretComponent(env, from, "p");
    c.q = SecretComponent(env, from, "q");
    c.dp = SecretComponent(env, from, "dp");
    c.dq = SecretComponent(env, from, "dq");
    c.qi = SecretComponent(env, from, "qi");
    return AsymmetricKeyHandle::New(env, core::AsymmetricKey::FromRsaComponents(c));
  });
}

Napi::Value ImportEcComponents(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object from = RequireObject(info);
    core::EcComponents c;
    c.x = Component(env, from, "x");
    c.y = Component(env, from, "y");
    c.d = SecretComponent(env, from, "d");
    return AsymmetricKeyHandle::New(env, core::AsymmetricKey::FromEcComponents(c));
  });
}

}  // namespace openrms::binding
