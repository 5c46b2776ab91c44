// Two Linux system calls the file API needs and Node does not expose: an anonymous file in a
// folder (O_TMPFILE) and giving it a name once complete (linkat through /proc/self/fd), so an
// output file interrupted even by SIGKILL or a power cut leaves nothing behind.
#pragma once

#include <napi.h>

namespace openrms::binding {

void RegisterFileFunctions(Napi::Env env, Napi::Object exports);

}  // namespace openrms::binding
