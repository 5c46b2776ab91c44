// Turns core failures into RmsError instances (DESIGN 5).
#pragma once

#include <napi.h>

#include <string>

#include "../core/error.h"

namespace openrms::binding {

// `new RmsError(code, message)` when lib/native.ts has registered the class, a plain Error
// carrying `code` otherwise (only before registration, i.e. never through the public API).
Napi::Error MakeRmsError(Napi::Env env, const char* code, const std::string& message);

[[noreturn]] void ThrowInvalidArgument(Napi::Env env, const std::string& message);

// Runs `body`, converting a core::Error into a thrown RmsError.
template <class Body>
Napi::Value Guarded(const Napi::CallbackInfo& info, Body body) {
  try {
    return body();
  } catch (const core::Error& e) {
    throw MakeRmsError(info.Env(), e.code(), e.what());
  } catch (const std::bad_alloc&) {
    throw MakeRmsError(info.Env(), core::code::kCryptoFailure, "out of memory");
  }
}

// Registers the RmsError class (setErrorClass(RmsError)).
Napi::Value SetErrorClass(const Napi::CallbackInfo& info);

}  // namespace openrms::binding
