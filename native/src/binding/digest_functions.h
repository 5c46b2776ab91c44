// Module functions over core/digest.h: sha256, hmacSha256, hmacSha256Verify, hkdfSha256,
// randomFill, and sha256Async for large inputs.
#pragma once

#include <napi.h>

namespace openrms::binding {

void RegisterDigestFunctions(Napi::Env env, Napi::Object exports);

}  // namespace openrms::binding
