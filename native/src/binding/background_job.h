// Work on the libuv thread pool that settles a promise, in the node-argon2 shape: the
// JavaScript inputs are pinned by references for the job's life and read in place; the
// work runs with no Node-API call; the result is built back on the JavaScript thread.
#pragma once

#include <napi.h>

#include <functional>
#include <string>
#include <vector>

namespace openrms::binding {

class BackgroundJob : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;                       // thread pool; may throw core::Error
  using Settle = std::function<void(Napi::Env)>;            // JavaScript thread, after success
  using Fail = std::function<void(Napi::Env, Napi::Error)>;  // JavaScript thread, after failure

  // Queues the job. `pinned` values stay alive (not collected) until it has settled.
  static void Queue(Napi::Env env, const std::vector<Napi::Value>& pinned, Work work, Settle settle, Fail fail);

  // The common case: one job, one promise resolved with what `result` returns.
  static Napi::Promise Promise(Napi::Env env, const std::vector<Napi::Value>& pinned, Work work,
                               std::function<Napi::Value(Napi::Env)> result);

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  void Reject(const Napi::Error& error) noexcept;
  BackgroundJob(Napi::Env env, const std::vector<Napi::Value>& pinned, Work work, Settle settle, Fail fail);

  std::vector<Napi::Reference<Napi::Value>> pinned_;
  Work work_;
  Settle settle_;
  Fail fail_;
  const char* code_ = nullptr;
};

}  // namespace openrms::binding
