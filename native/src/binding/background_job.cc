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
    fail_(Env(), MakeRmsError(Env(), e.code(), e.what()));
  } catch (const Napi::Error& e) {
    fail_(Env(), e);
  }
}

void BackgroundJob::OnError(const Napi::Error& error) {
  Napi::HandleScope scope(Env());
  fail_(Env(), MakeRmsError(Env(), code_ != nullptr ? code_ : core::code::kCryptoFailure, error.Message()));
}

}  // namespace openrms::binding
