// The Windows registry reader behind lib/settings/windows-registry.ts. Only win32 builds have
// it: elsewhere the settings read `.reg` folders and there is no registry to open.
#pragma once

#include <napi.h>

namespace openrms::binding {

#ifdef _WIN32
void RegisterRegistryFunctions(Napi::Env env, Napi::Object exports);
#endif

}  // namespace openrms::binding
