// Per-environment state. The addon is context-aware: every Node environment (the main
// thread, each worker_thread) gets its own copy, reached through Env::GetInstanceData.
#pragma once

#include <napi.h>

namespace openrms::binding {

struct AddonData {
  Napi::FunctionReference rms_error;  // the RmsError class from lib/errors.ts
  Napi::FunctionReference secret_key;
  Napi::FunctionReference asymmetric_key;
};

inline AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace openrms::binding
