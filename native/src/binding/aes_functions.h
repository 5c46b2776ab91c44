// Module functions over core/aes_gcm.h and core/aes_cbc.h: one-shot AES-GCM, the AES-GCM
// batch calls, AES-CBC and AES-ECB, each with a thread-pool twin named ...Async.
#pragma once

#include <napi.h>

namespace openrms::binding {

void RegisterAesFunctions(Napi::Env env, Napi::Object exports);

}  // namespace openrms::binding
