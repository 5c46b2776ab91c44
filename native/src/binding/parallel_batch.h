// A batch of independent items spread over the libuv thread pool: the items are cut into
// contiguous ranges, one BackgroundJob each, and one promise settles when the last range
// is done. Ranges never share mutable state, so no locking is needed; the completion count
// lives on the JavaScript thread.
#pragma once

#include <napi.h>

#include <functional>
#include <vector>

namespace openrms::binding {

// Threads libuv runs jobs on (UV_THREADPOOL_SIZE, default 4, read as libuv reads it).
size_t ThreadPoolSize();

// How many ranges ParallelBatch cuts `items` into: at most the pool size and the core count.
size_t ParallelRanges(size_t items, size_t min_items_per_range);

// Runs `work(begin, end)` over [0, items) in up to ParallelRanges() ranges of at least
// `min_items_per_range` items; resolves with `result()` or rejects with the first failure.
Napi::Promise ParallelBatch(Napi::Env env, const std::vector<Napi::Value>& pinned, size_t items,
                            size_t min_items_per_range, std::function<void(size_t, size_t)> work,
                            std::function<Napi::Value(Napi::Env)> result);

}  // namespace openrms::binding
