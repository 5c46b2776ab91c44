#include "container_functions.h"

#include "../core/pfile_header.h"
#include "arguments.h"
#include "errors.h"

namespace openrms::binding {
namespace {

Napi::Object Region(Napi::Env env, const core::FileRegion& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("offset", Napi::Number::New(env, static_cast<double>(r.offset)));
  o.Set("length", Napi::Number::New(env, static_cast<double>(r.length)));
  return o;
}

// (prefix, fileSize) -> { major, minor, notice, tableSize, extension, license, metadata,
// content, originalSize }
Napi::Value ParsePfileHeader(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    core::ByteView prefix = BytesArg(info, 0, "prefix");
    core::PfileHeader h = core::ParsePfileHeader(prefix, SafeIntegerArg(info, 1, "fileSize"));
    Napi::Object o = Napi::Object::New(env);
    o.Set("major", Napi::Number::New(env, h.major));
    o.Set("minor", Napi::Number::New(env, h.minor));
    o.Set("notice", Region(env, h.notice));
    o.Set("tableSize", Napi::Number::New(env, h.table_size));
    o.Set("extension", Region(env, h.extension));
    o.Set("license", Region(env, h.license));
    o.Set("metadata", Region(env, h.metadata));
    o.Set("content", Region(env, h.content));
    o.Set("originalSize", h.original_size_known ? Napi::Number::New(env, static_cast<double>(h.original_size)) : env.Null());
    return o;
  });
}

Napi::Value HasPfileMagic(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), core::HasPfileMagic(BytesArg(info, 0, "prefix")));
  });
}

}  // namespace

void RegisterContainerFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("parsePfileHeader", Napi::Function::New<ParsePfileHeader>(env, "parsePfileHeader"));
  exports.Set("hasPfileMagic", Napi::Function::New<HasPfileMagic>(env, "hasPfileMagic"));
  exports.Set("pfileMaxPrefix", Napi::Number::New(env, static_cast<double>(core::kPfileMaxPrefix)));
}

}  // namespace openrms::binding
