// Module functions over core/segment_stream.h (AES256-GCM-STREAM): sealing and opening whole
// buffers of segments, on this thread or spread over the thread pool by segment ranges.
#pragma once

#include <napi.h>

namespace openrms::binding {

void RegisterSegmentFunctions(Napi::Env env, Napi::Object exports);

}  // namespace openrms::binding
