#include "registry_functions.h"

#ifdef _WIN32

#include <windows.h>

#include <algorithm>
#include <string>
#include <vector>

#include "errors.h"

namespace openrms::binding {
namespace {

// Each function returns its result, or the Win32 error code (a number) when a key or value
// cannot be read, so JavaScript tells an absent key (ERROR_FILE_NOT_FOUND) from a refused one.

HKEY HiveArg(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) ThrowInvalidArgument(info.Env(), "hive must be a string");
  const std::string hive = info[0].As<Napi::String>().Utf8Value();
  if (hive == "HKLM") return HKEY_LOCAL_MACHINE;
  if (hive == "HKCU") return HKEY_CURRENT_USER;
  if (hive == "HKCR") return HKEY_CLASSES_ROOT;
  if (hive == "HKU") return HKEY_USERS;
  if (hive == "HKCC") return HKEY_CURRENT_CONFIG;
  ThrowInvalidArgument(info.Env(), "hive must be HKLM, HKCU, HKCR, HKU or HKCC");
}

// JavaScript strings are UTF-16, as the registry's W functions are: no conversion on the way.
std::wstring WideArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsString()) ThrowInvalidArgument(info.Env(), std::string(name) + " must be a string");
  const std::u16string text = info[index].As<Napi::String>().Utf16Value();
  if (text.find(u'\0') != std::u16string::npos) ThrowInvalidArgument(info.Env(), std::string(name) + " must not hold NUL");
  return std::wstring(text.begin(), text.end());
}

Napi::String WideString(Napi::Env env, const wchar_t* text, size_t length) {
  return Napi::String::New(env, std::u16string(text, text + length));
}

// The settings ask for the view of a 64-bit or a 32-bit process (lib/settings/wow64-view.ts);
// Windows then redirects HKLM\SOFTWARE to Wow6432Node for the 32-bit one itself.
REGSAM ViewArg(const Napi::CallbackInfo& info, size_t index) {
  if (info[index].IsNumber()) {
    const uint32_t bits = info[index].As<Napi::Number>().Uint32Value();
    if (bits == 64) return KEY_WOW64_64KEY;
    if (bits == 32) return KEY_WOW64_32KEY;
  }
  ThrowInvalidArgument(info.Env(), "view must be 32 or 64");
}

// A key opened for reading, closed on every way out.
class OpenKey {
 public:
  OpenKey(HKEY root, const std::wstring& path, REGSAM view)
      : status_(RegOpenKeyExW(root, path.c_str(), 0, KEY_READ | view, &key_)) {}
  ~OpenKey() {
    if (status_ == ERROR_SUCCESS) RegCloseKey(key_);
  }
  OpenKey(const OpenKey&) = delete;
  OpenKey& operator=(const OpenKey&) = delete;

  LONG status() const { return status_; }
  HKEY get() const { return key_; }

 private:
  HKEY key_ = nullptr;
  LONG status_;
};

Napi::Array Entry(Napi::Env env, Napi::String name, DWORD type, const std::vector<BYTE>& data, DWORD size) {
  Napi::Array entry = Napi::Array::New(env, 3);
  entry.Set(0u, name);
  entry.Set(1u, Napi::Number::New(env, type));
  entry.Set(2u, Napi::Buffer<uint8_t>::Copy(env, data.data(), size));
  return entry;
}

// Opens the arguments' key (hive, keyPath) in the view given at `view_index` and returns what
// `body` makes of it, or the Win32 error code when it cannot be opened.
template <class Body>
Napi::Value WithKey(const Napi::CallbackInfo& info, size_t view_index, Body body) {
  return Guarded(info, [&]() -> Napi::Value {
    const HKEY hive = HiveArg(info);
    OpenKey key(hive, WideArg(info, 1, "keyPath"), ViewArg(info, view_index));
    if (key.status() != ERROR_SUCCESS) return Napi::Number::New(info.Env(), key.status());
    return body(info.Env(), key.get());
  });
}

// (hive, keyPath, name, view) -> [name, type, data] or a Win32 error code.
Napi::Value RegistryGetValue(const Napi::CallbackInfo& info) {
  const std::wstring name = WideArg(info, 2, "name");
  return WithKey(info, 3, [&](Napi::Env env, HKEY key) -> Napi::Value {
    std::vector<BYTE> data;
    DWORD type = 0;
    DWORD size = 0;
    LONG status = RegQueryValueExW(key, name.c_str(), nullptr, &type, nullptr, &size);
    // The value can grow between asking its size and reading it: ask again until it fits.
    while (status == ERROR_SUCCESS || status == ERROR_MORE_DATA) {
      data.resize(size);
      status = RegQueryValueExW(key, name.c_str(), nullptr, &type, data.data(), &size);
      if (status == ERROR_SUCCESS) return Entry(env, info[2].As<Napi::String>(), type, data, size);
    }
    return Napi::Number::New(env, status);
  });
}

// (hive, keyPath, view) -> [[name, type, data], ...] in the key's order, or a Win32 error code.
Napi::Value RegistryListValues(const Napi::CallbackInfo& info) {
  return WithKey(info, 2, [&](Napi::Env env, HKEY key) -> Napi::Value {
    DWORD max_name = 0;
    DWORD max_data = 0;
    LONG status = RegQueryInfoKeyW(key, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &max_name,
                                   &max_data, nullptr, nullptr);
    if (status != ERROR_SUCCESS) return Napi::Number::New(env, status);
    std::vector<wchar_t> name(max_name + 1);
    std::vector<BYTE> data(max_data);
    Napi::Array entries = Napi::Array::New(env);
    for (DWORD index = 0;;) {
      DWORD name_length = static_cast<DWORD>(name.size());
      DWORD size = static_cast<DWORD>(data.size());
      DWORD type = 0;
      status = RegEnumValueW(key, index, name.data(), &name_length, nullptr, &type, data.data(), &size);
      if (status == ERROR_NO_MORE_ITEMS) break;
      if (status == ERROR_MORE_DATA) {  // a value written since RegQueryInfoKeyW: grow, read it again
        name.resize(name.size() * 2);
        data.resize(std::max<size_t>(data.size() * 2, size));
        continue;
      }
      if (status != ERROR_SUCCESS) return Napi::Number::New(env, status);
      entries.Set(index, Entry(env, WideString(env, name.data(), name_length), type, data, size));
      index += 1;
    }
    return entries;
  });
}

// (hive, keyPath, view) -> [subkey name, ...] or a Win32 error code.
Napi::Value RegistryListSubkeys(const Napi::CallbackInfo& info) {
  return WithKey(info, 2, [&](Napi::Env env, HKEY key) -> Napi::Value {
    // A key name is at most 255 characters (Registry element size limits).
    std::vector<wchar_t> name(256);
    Napi::Array names = Napi::Array::New(env);
    for (DWORD index = 0;; index += 1) {
      DWORD name_length = static_cast<DWORD>(name.size());
      const LONG status = RegEnumKeyExW(key, index, name.data(), &name_length, nullptr, nullptr, nullptr, nullptr);
      if (status == ERROR_NO_MORE_ITEMS) break;
      if (status != ERROR_SUCCESS) return Napi::Number::New(env, status);
      names.Set(index, WideString(env, name.data(), name_length));
    }
    return names;
  });
}

}  // namespace

void RegisterRegistryFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("registryGetValue", Napi::Function::New<RegistryGetValue>(env, "registryGetValue"));
  exports.Set("registryListValues", Napi::Function::New<RegistryListValues>(env, "registryListValues"));
  exports.Set("registryListSubkeys", Napi::Function::New<RegistryListSubkeys>(env, "registryListSubkeys"));
}

}  // namespace openrms::binding

#endif  // _WIN32
