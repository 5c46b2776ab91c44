#include "file_functions.h"

#include <cerrno>
#include <memory>
#include <string>

#if defined(__linux__)
#include <fcntl.h>
#include <unistd.h>
#endif

#include "background_job.h"
#include "errors.h"

namespace openrms::binding {
namespace {

std::string PathArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsString()) ThrowInvalidArgument(info.Env(), std::string(name) + " must be a string");
  std::string path = info[index].As<Napi::String>().Utf8Value();
  if (path.empty() || path.find('\0') != std::string::npos)
    ThrowInvalidArgument(info.Env(), std::string(name) + " must be a non-empty path without NUL");
  return path;
}

// Both resolve with a non-negative result or -errno, so JavaScript can fall back on EOPNOTSUPP
// (file systems and platforms without O_TMPFILE) and map the rest to RmsError codes. They run on
// the thread pool: creating and naming a file costs the better part of a millisecond on some
// file systems, and a bulk run creates thousands at once, which the JavaScript thread would
// otherwise make one by one.

// Runs `call` (returning a result or -errno) on the pool; resolves with that number.
Napi::Promise NumberInBackground(Napi::Env env, std::function<int()> call) {
  auto result = std::make_shared<int>(0);
  return BackgroundJob::Promise(
      env, {}, [call, result]() { *result = call(); },
      [result](Napi::Env e) -> Napi::Value { return Napi::Number::New(e, *result); });
}

// (folder, mode) -> fd of an unnamed file in `folder`, opened for writing.
Napi::Value OpenAnonymousFile(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    std::string folder = PathArg(info, 0, "folder");
    if (!info[1].IsNumber()) ThrowInvalidArgument(info.Env(), "mode must be a number");
    unsigned mode = info[1].As<Napi::Number>().Uint32Value() & 0777;
    return NumberInBackground(info.Env(), [folder, mode]() -> int {
#if defined(__linux__) && defined(O_TMPFILE)
      int fd = open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
      return fd >= 0 ? fd : -errno;
#else
      (void)mode;
      return -EOPNOTSUPP;
#endif
    });
  });
}

// (fd, path) -> 0 once the unnamed file `fd` is linked at `path` (-EEXIST if taken).
Napi::Value LinkAnonymousFile(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    if (!info[0].IsNumber()) ThrowInvalidArgument(info.Env(), "fd must be a number");
    int fd = info[0].As<Napi::Number>().Int32Value();
    std::string target = PathArg(info, 1, "path");
    return NumberInBackground(info.Env(), [fd, target]() -> int {
#if defined(__linux__)
      std::string self = "/proc/self/fd/" + std::to_string(fd);
      return linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW) == 0 ? 0 : -errno;
#else
      (void)fd;
      return -EOPNOTSUPP;
#endif
    });
  });
}

}  // namespace

void RegisterFileFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("openAnonymousFile", Napi::Function::New<OpenAnonymousFile>(env, "openAnonymousFile"));
  exports.Set("linkAnonymousFile", Napi::Function::New<LinkAnonymousFile>(env, "linkAnonymousFile"));
}

}  // namespace openrms::binding
