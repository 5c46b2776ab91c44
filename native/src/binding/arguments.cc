#include "arguments.h"

#include "errors.h"

namespace openrms::binding {
namespace {

size_t ElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;  // float64, bigint64, biguint64
  }
}

}  // namespace

namespace {

bool TryBytesOf(Napi::Env env, Napi::Value value, core::ByteView& out) {
  if (value.IsTypedArray()) {
    // napi_get_typedarray_info gives the first element's address directly, whatever backs
    // the view (ArrayBuffer or SharedArrayBuffer).
    napi_typedarray_type type;
    size_t length = 0, offset = 0;
    void* data = nullptr;
    napi_value backing;
    if (napi_get_typedarray_info(env, value, &type, &length, &data, &backing, &offset) == napi_ok) {
      size_t size = length * ElementSize(type);
      out = {size != 0 ? static_cast<const uint8_t*>(data) : nullptr, size};
      return true;
    }
  } else if (value.IsDataView()) {
    size_t length = 0, offset = 0;
    void* data = nullptr;
    napi_value backing;
    if (napi_get_dataview_info(env, value, &length, &data, &backing, &offset) == napi_ok) {
      out = {length != 0 ? static_cast<const uint8_t*>(data) : nullptr, length};
      return true;
    }
  }
  return false;
}

}  // namespace

core::ByteView BytesOf(Napi::Env env, Napi::Value value, const std::string& name) {
  core::ByteView view;
  if (!TryBytesOf(env, value, view)) ThrowInvalidArgument(env, name + " must be a Buffer or Uint8Array");
  return view;
}

core::ByteView BytesOfElement(Napi::Env env, Napi::Value value, const char* list, size_t index) {
  core::ByteView view;
  if (!TryBytesOf(env, value, view))
    ThrowInvalidArgument(env, std::string(list) + "[" + std::to_string(index) + "] must be a Buffer or Uint8Array");
  return view;
}

core::ByteView BytesArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return BytesOf(info.Env(), info[index], name);
}

core::ByteView OptionalBytesArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info[index].IsUndefined() || info[index].IsNull()) return {};
  return BytesArg(info, index, name);
}

core::MutableByteView OutputArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  core::ByteView view = BytesArg(info, index, name);
  return {const_cast<uint8_t*>(view.data), view.size};
}

uint32_t Uint32Arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsNumber()) ThrowInvalidArgument(info.Env(), std::string(name) + " must be a number");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0 && value <= 4294967295.0) || value != static_cast<double>(static_cast<uint32_t>(value)))
    ThrowInvalidArgument(info.Env(), std::string(name) + " must be an integer from 0 to 2^32-1");
  return static_cast<uint32_t>(value);
}

uint64_t SafeIntegerArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsNumber()) ThrowInvalidArgument(info.Env(), std::string(name) + " must be a number");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0 && value <= 9007199254740991.0) || value != static_cast<double>(static_cast<uint64_t>(value)))
    ThrowInvalidArgument(info.Env(), std::string(name) + " must be a non-negative integer");
  return static_cast<uint64_t>(value);
}

bool BoolArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsBoolean()) ThrowInvalidArgument(info.Env(), std::string(name) + " must be a boolean");
  return info[index].As<Napi::Boolean>().Value();
}

}  // namespace openrms::binding
