// Registers the addon's classes and functions; nothing else lives here.
#include <napi.h>

#include <openssl/crypto.h>

#include "../core/algorithms.h"
#include "addon_data.h"
#include "aes_functions.h"
#include "asymmetric_key_handle.h"
#include "container_functions.h"
#include "digest_functions.h"
#include "ecdh_es_functions.h"
#include "errors.h"
#include "file_functions.h"
#include "registry_functions.h"
#include "secret_key_handle.h"
#include "sector_functions.h"
#include "segment_functions.h"
#include "signature_functions.h"

namespace openrms::binding {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  core::InitializeLibcrypto();
  auto* data = new AddonData();
  env.SetInstanceData(data);  // deleted by Node at environment teardown

  Napi::Function secret_key = SecretKeyHandle::DefineClass(env);
  Napi::Function asymmetric_key = AsymmetricKeyHandle::DefineClass(env);
  data->secret_key = Napi::Persistent(secret_key);
  data->asymmetric_key = Napi::Persistent(asymmetric_key);

  exports.Set("SecretKeyHandle", secret_key);
  exports.Set("AsymmetricKeyHandle", asymmetric_key);
  exports.Set("setErrorClass", Napi::Function::New<SetErrorClass>(env, "setErrorClass"));
  exports.Set("createSecretKey", Napi::Function::New<CreateSecretKey>(env, "createSecretKey"));
  exports.Set("generateSecretKey", Napi::Function::New<GenerateSecretKey>(env, "generateSecretKey"));
  exports.Set("deriveSecretKey", Napi::Function::New<DeriveSecretKey>(env, "deriveSecretKey"));
  exports.Set("generateKeyPair", Napi::Function::New<GenerateKeyPair>(env, "generateKeyPair"));
  exports.Set("generateKeyPairAsync", Napi::Function::New<GenerateKeyPairAsync>(env, "generateKeyPairAsync"));
  exports.Set("importKeyPem", Napi::Function::New<ImportKeyPem>(env, "importKeyPem"));
  exports.Set("importKeyDer", Napi::Function::New<ImportKeyDer>(env, "importKeyDer"));
  exports.Set("importRsaComponents", Napi::Function::New<ImportRsaComponents>(env, "importRsaComponents"));
  exports.Set("importEcComponents", Napi::Function::New<ImportEcComponents>(env, "importEcComponents"));
  RegisterDigestFunctions(env, exports);
  RegisterAesFunctions(env, exports);
  RegisterSignatureFunctions(env, exports);
  RegisterEcdhEsFunctions(env, exports);
  RegisterSectorFunctions(env, exports);
  RegisterContainerFunctions(env, exports);
  RegisterSegmentFunctions(env, exports);
  RegisterFileFunctions(env, exports);
#ifdef _WIN32
  RegisterRegistryFunctions(env, exports);
#endif
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("opensslVersion", Napi::String::New(env, OpenSSL_version(OPENSSL_VERSION_STRING)));
  return exports;
}

}  // namespace openrms::binding

// NODE_API_MODULE pastes the name into an identifier, so it must be unqualified.
static Napi::Object InitOpenrms(Napi::Env env, Napi::Object exports) { return openrms::binding::Init(env, exports); }

NODE_API_MODULE(openrms, InitOpenrms)
