// Node-API type tags (N-API 8) that mark the objects this addon wraps. Checking a tag is
// cheaper than `instanceof` (no prototype walk, which batch calls pay once per item) and,
// unlike a bare napi_unwrap, cannot mistake another addon's wrapped object for ours.
#pragma once

#include <napi.h>

namespace openrms::binding {

inline constexpr napi_type_tag kSecretKeyTag = {0x6f70656e726d7331ULL, 0x9b1d2c3e4f5a6b7cULL};
inline constexpr napi_type_tag kAsymmetricKeyTag = {0x6f70656e726d7332ULL, 0x1a2b3c4d5e6f7081ULL};

inline void TagObject(Napi::Env env, Napi::Object object, const napi_type_tag& tag) {
  NAPI_THROW_IF_FAILED_VOID(env, napi_type_tag_object(env, object, &tag));
}

inline bool HasTag(Napi::Env env, Napi::Value value, const napi_type_tag& tag) {
  if (!value.IsObject()) return false;
  bool tagged = false;
  return napi_check_object_type_tag(env, value, &tag, &tagged) == napi_ok && tagged;
}

}  // namespace openrms::binding
