// Module functions over core/signature.h and core/rsa_oaep.h: sign, verify, the batch verify
// (synchronous, and spread over the thread pool), and RSA-OAEP-256 wrap / unwrap of bytes
// and of secret key handles.
#pragma once

#include <napi.h>

namespace openrms::binding {

void RegisterSignatureFunctions(Napi::Env env, Napi::Object exports);

}  // namespace openrms::binding
