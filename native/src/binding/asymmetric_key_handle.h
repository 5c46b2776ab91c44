// AsymmetricKeyHandle: a parsed RSA or EC P-256 key (an EVP_PKEY), parsed once and reused by
// every sign, verify, wrap and unwrap. Private key material is freed (and wiped by OpenSSL)
// on close(), on collection and at environment teardown.
#pragma once

#include <napi.h>

#include <memory>

#include "../core/asymmetric_key.h"
#include "handle_lifecycle.h"

namespace openrms::binding {

class AsymmetricKeyHandle : public Napi::ObjectWrap<AsymmetricKeyHandle>, private HandleLifecycle {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  static Napi::Object New(Napi::Env env, core::AsymmetricKey key);
  static AsymmetricKeyHandle& From(Napi::Env env, Napi::Value value);

  explicit AsymmetricKeyHandle(const Napi::CallbackInfo& info);
  ~AsymmetricKeyHandle() override;

  std::shared_ptr<const core::AsymmetricKey> key() const { return key_; }

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);
  Napi::Value Type(const Napi::CallbackInfo& info);
  Napi::Value Bits(const Napi::CallbackInfo& info);
  Napi::Value HasPrivate(const Napi::CallbackInfo& info);
  Napi::Value ExportPem(const Napi::CallbackInfo& info);
  Napi::Value ExportDer(const Napi::CallbackInfo& info);
  Napi::Value ExportComponents(const Napi::CallbackInfo& info);
  const core::AsymmetricKey& Open(Napi::Env env) const;
  void Release() override;

  std::shared_ptr<const core::AsymmetricKey> key_;
};

// Module functions.
Napi::Value GenerateKeyPair(const Napi::CallbackInfo& info);       // (type, bits) -> handle
Napi::Value GenerateKeyPairAsync(const Napi::CallbackInfo& info);  // (type, bits) -> Promise<handle>
Napi::Value ImportKeyPem(const Napi::CallbackInfo& info);          // (bytes) -> handle
Napi::Value ImportKeyDer(const Napi::CallbackInfo& info);          // (bytes) -> handle
Napi::Value ImportRsaComponents(const Napi::CallbackInfo& info);   // ({n, e, d?, ...}) -> handle
Napi::Value ImportEcComponents(const Napi::CallbackInfo& info);    // ({x, y, d?}) -> handle

}  // namespace openrms::binding
