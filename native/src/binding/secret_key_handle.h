// SecretKeyHandle: AES or HMAC key bytes held in native memory. JavaScript sees an opaque
// object; the bytes are copied in once, wiped on close(), on collection, and at environment
// teardown (worker exit, process exit). Work in flight keeps its own reference to the bytes,
// so close() never pulls a key out from under a running job.
#pragma once

#include <napi.h>

#include <memory>

#include "../core/aes_cbc.h"
#include "../core/aes_gcm.h"
#include "../core/sector_cipher.h"
#include "handle_lifecycle.h"

namespace openrms::binding {

class SecretKeyHandle : public Napi::ObjectWrap<SecretKeyHandle>, private HandleLifecycle {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  static Napi::Object New(Napi::Env env, core::SecretBytes bytes);
  // The handle at info[index], or a thrown KEY_CLOSED / INVALID_ARGUMENT.
  static SecretKeyHandle& From(const Napi::CallbackInfo& info, size_t index);

  explicit SecretKeyHandle(const Napi::CallbackInfo& info);
  ~SecretKeyHandle() override;

  std::shared_ptr<const core::SecretBytes> bytes() const { return bytes_; }
  // Expanded-key contexts kept for synchronous calls on this environment's thread.
  core::AesGcm& gcm();
  core::AesCbc& cbc();
  core::AesEcb& ecb();
  core::SectorCipher& sector(core::SectorMode mode);

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Size(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);
  Napi::Value Export(const Napi::CallbackInfo& info);
  void Release() override;

  std::shared_ptr<core::SecretBytes> bytes_;
  std::unique_ptr<core::AesGcm> gcm_;
  std::unique_ptr<core::AesCbc> cbc_;
  std::unique_ptr<core::AesEcb> ecb_;
  std::unique_ptr<core::SectorCipher> sectors_[3];  // by SectorMode
};

// Module functions: createSecretKey(bytes), generateSecretKey(size).
Napi::Value CreateSecretKey(const Napi::CallbackInfo& info);
Napi::Value GenerateSecretKey(const Napi::CallbackInfo& info);
// deriveSecretKey(key, salt, info, length): HKDF-SHA256 of a key handle into a new handle, so
// neither key's bytes enter JavaScript.
Napi::Value DeriveSecretKey(const Napi::CallbackInfo& info);

}  // namespace openrms::binding
