#include "parallel_batch.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include "background_job.h"

namespace openrms::binding {
namespace {

struct BatchState {
  explicit BatchState(Napi::Env env) : deferred(env) {}
  Napi::Promise::Deferred deferred;
  size_t pending = 0;
  std::optional<Napi::ObjectReference> first_error;
};

}  // namespace

size_t ParallelRanges(size_t items, size_t min_items_per_range) {
  // More ranges than cores only adds switching; fewer than the pool leaves threads free for
  // other work (file I/O, DNS) queued behind the batch.
  size_t cores = std::max<unsigned>(1, std::thread::hardware_concurrency());
  size_t by_size = items / std::max<size_t>(1, min_items_per_range);
  return std::max<size_t>(1, std::min({ThreadPoolSize(), cores, by_size}));
}

size_t ThreadPoolSize() {
  // libuv reads UV_THREADPOOL_SIZE once, clamps it to 1..1024, default 4.
  const char* value = std::getenv("UV_THREADPOOL_SIZE");
  long n = value != nullptr ? std::strtol(value, nullptr, 10) : 0;
  if (n <= 0) return 4;
  return static_cast<size_t>(std::min<long>(n, 1024));
}

Napi::Promise ParallelBatch(Napi::Env env, const std::vector<Napi::Value>& pinned, size_t items,
                            size_t min_items_per_range, std::function<void(size_t, size_t)> work,
                            std::function<Napi::Value(Napi::Env)> result) {
  auto state = std::make_shared<BatchState>(env);
  size_t ranges = ParallelRanges(items, min_items_per_range);
  state->pending = ranges;
  auto finish_one = [state, result](Napi::Env e) {
    // A settle that throws (its environment is shutting down) is reported again through the
    // job's failure path: count each range once.
    if (state->pending == 0) return;
    if (--state->pending != 0) return;
    if (state->first_error) {
      state->deferred.Reject(state->first_error->Value());
    } else {
      state->deferred.Resolve(result(e));
    }
  };
  for (size_t r = 0; r < ranges; ++r) {
    size_t begin = items * r / ranges, end = items * (r + 1) / ranges;
    BackgroundJob::Queue(
        env, pinned, [work, begin, end] { work(begin, end); }, finish_one,
        [state, finish_one](Napi::Env e, Napi::Error error) {
          if (!state->first_error) state->first_error = Napi::Persistent(error.Value());
          finish_one(e);
        });
  }
  return state->deferred.Promise();
}

}  // namespace openrms::binding
