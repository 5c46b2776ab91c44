// Reading call arguments. lib/ validates every argument with a message naming it before
// calling native code; these checks are the second line, so a wrong call from inside the
// package still fails with a coded error instead of reading out of bounds.
#pragma once

#include <napi.h>

#include <string>

#include "../core/bytes.h"

namespace openrms::binding {

// A Buffer / TypedArray / DataView read in place (no copy).
core::ByteView BytesArg(const Napi::CallbackInfo& info, size_t index, const char* name);
// Same, but `undefined` or `null` give an empty view.
core::ByteView OptionalBytesArg(const Napi::CallbackInfo& info, size_t index, const char* name);
core::MutableByteView OutputArg(const Napi::CallbackInfo& info, size_t index, const char* name);
core::ByteView BytesOf(Napi::Env env, Napi::Value value, const std::string& name);
// An element of an array argument; the name "list[index]" is only built for the error.
core::ByteView BytesOfElement(Napi::Env env, Napi::Value value, const char* list, size_t index);
uint32_t Uint32Arg(const Napi::CallbackInfo& info, size_t index, const char* name);
// A JavaScript number that is an integer from 0 to 2^53-1 (sizes, offsets, indices).
uint64_t SafeIntegerArg(const Napi::CallbackInfo& info, size_t index, const char* name);
bool BoolArg(const Napi::CallbackInfo& info, size_t index, const char* name);

}  // namespace openrms::binding
