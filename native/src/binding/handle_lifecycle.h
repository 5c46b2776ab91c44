// The lifecycle every native handle shares (classic-level's shape): an environment cleanup
// hook releases the handle's resources when its worker thread or the process ends, even if
// the JavaScript object is never collected; close() and the destructor release them too.
#pragma once

#include <node_api.h>

namespace openrms::binding {

class HandleLifecycle {
 public:
  HandleLifecycle(const HandleLifecycle&) = delete;
  HandleLifecycle& operator=(const HandleLifecycle&) = delete;

 protected:
  explicit HandleLifecycle(napi_env env);
  virtual ~HandleLifecycle();

  // Frees the handle's resources. Called at most once; closed() is true afterwards.
  virtual void Release() = 0;
  // Releases now and forgets the cleanup hook.
  void CloseNow();
  // Derived destructors call this first, while their members still exist.
  void ReleaseOnDestruction() { CloseNow(); }
  bool closed() const { return closed_; }

 private:
  static void OnEnvironmentTeardown(void* self);

  napi_env env_;
  bool closed_ = false;
  bool hooked_ = false;
};

}  // namespace openrms::binding
