#include "handle_lifecycle.h"

namespace openrms::binding {

HandleLifecycle::HandleLifecycle(napi_env env) : env_(env) {
  hooked_ = napi_add_env_cleanup_hook(env_, &HandleLifecycle::OnEnvironmentTeardown, this) == napi_ok;
}

HandleLifecycle::~HandleLifecycle() {
  if (hooked_) napi_remove_env_cleanup_hook(env_, &HandleLifecycle::OnEnvironmentTeardown, this);
}

void HandleLifecycle::CloseNow() {
  if (closed_) return;
  closed_ = true;
  Release();
  if (hooked_) {
    napi_remove_env_cleanup_hook(env_, &HandleLifecycle::OnEnvironmentTeardown, this);
    hooked_ = false;
  }
}

void HandleLifecycle::OnEnvironmentTeardown(void* self) {
  auto* handle = static_cast<HandleLifecycle*>(self);
  // The hook is being run (and so removed) by Node: do not remove it again.
  handle->hooked_ = false;
  if (!handle->closed_) {
    handle->closed_ = true;
    handle->Release();
  }
}

}  // namespace openrms::binding
