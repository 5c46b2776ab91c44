#include "background_job.h"

#include "../core/error.h"
#include "errors.h"

namespace openrms::binding {

BackgroundJob::BackgroundJob(Napi::Env env, const std::vector<Napi::Value>& pinned, Work work, Settle settle, Fail fail)
    : Napi::AsyncWorker(env, "openrms"), work_(std::move(work)), settle_(std::move(settle)), fail_(std::move(fail)) {
  pinned_.reserve(pinned.size());
  for (const Napi::Value& value : pinned) pinned_.push_back(Napi::Persistent(value));
}

void BackgroundJob::Queue(Napi::Env env, const std::vector<Napi::Value>& pinned, Work work, Settle settle, Fail fail) {
  (new BackgroundJob(env, pinned, std::move(work), std::move(settle), std::move(fail)))->Napi::AsyncWorker::Queue();
}

Napi::Promise BackgroundJob::Promise(Napi::Env env, const std::vector<Napi::Value>& pinned, Work work,
                                     std::function<Napi::Value(Napi::Env)> result) {
  auto deferred = std::make_shared<Napi::Promise::Deferred>(env);
  Queue(
      env, pinned, std::move(work),
      [deferred, result = std::move(result)](Napi::Env e) { deferred->Resolve(result(e)); },
      [deferred](Napi::Env, Napi::Error error) { deferred->Reject(error.Value()); });
  return deferred->Promise();
}

void BackgroundJob::Execute() {
  try {
    work_();
  } catch (const core::Error& e) {
    code_ = e.code();
    SetError(e.what());
  } catch (const std::bad_alloc&) {
    code_ = core::code::kCryptoFailure;
    SetError("out of memory");
  }
}

void BackgroundJob::OnOK() {
  Napi::HandleScope scope(Env());
  try {
    settle_(Env());
  } catch (const core::Error& e) {
    Reject(MakeRmsError(Env(), e.code(), e.what()));
  } catch (const Napi::Error& e) {
    Reject(e);
  }
}

void BackgroundJob::OnError(const Napi::Error& error) {
  Napi::HandleScope scope(Env());
  try {
    Reject(MakeRmsError(Env(), code_ != nullptr ? code_ : core::code::kCryptoFailure, error.Message()));
  } catch (const Napi::Error& e) {
    Reject(e);
  }
}

void BackgroundJob::Reject(const Napi::Error& error) noexcept {
  // When a worker thread is being terminated, every Node-API call that runs JavaScript or
  // makes objects fails; the promise can no longer be observed, so the failure is dropped
  // rather than allowed to escape into libuv (which would abort the process).
  try {
    fail_(Env(), error);
  } catch (...) {
  }
}

}  // namespace openrms::binding
