// Module functions over core/ecdh_es.h: ECDH-ES+A256KW wrap of a secret key handle to a P-256
// key, and the unwrap straight into a new secret key handle.
#pragma once

#include <napi.h>

namespace openrms::binding {

void RegisterEcdhEsFunctions(Napi::Env env, Napi::Object exports);

}  // namespace openrms::binding
