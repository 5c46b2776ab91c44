// Module functions over core/sector_cipher.h: whole-content encryption and decryption in the
// MICROSOFT.* sector modes (synchronous, or spread over the thread pool by sector ranges),
// and the block-by-number calls of MSIPC's IpcEncrypt / IpcDecrypt.
#pragma once

#include <napi.h>

namespace openrms::binding {

void RegisterSectorFunctions(Napi::Env env, Napi::Object exports);

}  // namespace openrms::binding
