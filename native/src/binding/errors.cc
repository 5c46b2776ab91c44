#include "errors.h"

#include "addon_data.h"

namespace openrms::binding {

Napi::Error MakeRmsError(Napi::Env env, const char* code, const std::string& message) {
  AddonData& data = GetAddonData(env);
  if (!data.rms_error.IsEmpty()) {
    Napi::Object error = data.rms_error.New({Napi::String::New(env, code), Napi::String::New(env, message)});
    return Napi::Error(env, error);
  }
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

void ThrowInvalidArgument(Napi::Env env, const std::string& message) {
  throw MakeRmsError(env, core::code::kInvalidArgument, message);
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) ThrowInvalidArgument(info.Env(), "errorClass must be a constructor");
  GetAddonData(info.Env()).rms_error = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

}  // namespace openrms::binding
