// Module functions over core/pfile_header.h: parsing a PFILE header from a file's first bytes.
#pragma once

#include <napi.h>

namespace openrms::binding {

void RegisterContainerFunctions(Napi::Env env, Napi::Object exports);

}  // namespace openrms::binding
