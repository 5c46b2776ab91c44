#include "segment_functions.h"

#include <atomic>
#include <memory>
#include <string>

#include "../core/error.h"
#include "../core/segment_stream.h"
#include "arguments.h"
#include "errors.h"
#include "parallel_batch.h"
#include "secret_key_handle.h"

namespace openrms::binding {
namespace {

using core::SegmentStream;

struct SegmentCall {
  std::shared_ptr<const core::SecretBytes> key;
  core::ByteView digest, input;
  core::MutableByteView output;
  size_t segment_size = 0;
  size_t segments = 0;
  core::ChunkPosition at;
};

// An optional `final` argument at `index`: true (the default, a whole file) or false.
core::ChunkPosition ChunkArg(const Napi::CallbackInfo& info, size_t index) {
  core::ChunkPosition at;
  if (info.Length() <= index || info[index].IsUndefined()) return at;
  at.final = BoolArg(info, index, "final");
  return at;
}

// (fileKey, headerDigest, segmentSize, input, output[, firstIndex, final]): the whole file,
// or a chunk of it starting at segment `firstIndex` and ending the file when `final`.
SegmentCall Parse(const Napi::CallbackInfo& info, bool sealing) {
  SegmentCall c;
  c.key = SecretKeyHandle::From(info, 0).bytes();
  c.digest = BytesArg(info, 1, "headerDigest");
  c.segment_size = Uint32Arg(info, 2, "segmentSize");
  c.input = BytesArg(info, 3, "input");
  c.output = OutputArg(info, 4, "output");
  if (info.Length() > 5 && !info[5].IsUndefined()) {
    c.at = ChunkArg(info, 6);
    c.at.first_index = SafeIntegerArg(info, 5, "firstIndex");
  }
  uint64_t plaintext = sealing ? c.input.size : SegmentStream::ChunkPlaintextSize(c.input.size, c.segment_size, c.at);
  c.segments = SegmentStream::ChunkSegmentCount(plaintext, c.segment_size, c.at);
  return c;
}

Napi::Value Seal(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SegmentCall c = Parse(info, true);
    SegmentStream(c.key->view(), c.digest, c.segment_size).SealRange(c.input, 0, c.segments, c.output, c.at);
    return info.Env().Undefined();
  });
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SegmentCall c = Parse(info, false);
    bool ok = SegmentStream(c.key->view(), c.digest, c.segment_size).OpenRange(c.input, 0, c.segments, c.output, c.at);
    return Napi::Boolean::New(info.Env(), ok);
  });
}

// Both directions on the pool; resolves with true, or false when any segment failed.
Napi::Value Async(const Napi::CallbackInfo& info, bool sealing) {
  return Guarded(info, [&]() -> Napi::Value {
    auto c = std::make_shared<const SegmentCall>(Parse(info, sealing));
    auto ok = std::make_shared<std::atomic<bool>>(true);
    return ParallelBatch(
        info.Env(), {info[1], info[3], info[4]}, c->segments, 1,
        [c, ok, sealing](size_t begin, size_t end) {
          SegmentStream stream(c->key->view(), c->digest, c->segment_size);
          if (sealing) {
            stream.SealRange(c->input, begin, end - begin, c->output, c->at);
          } else if (!stream.OpenRange(c->input, begin, end - begin, c->output, c->at)) {
            *ok = false;
          }
        },
        [ok](Napi::Env env) -> Napi::Value { return Napi::Boolean::New(env, ok->load()); });
  });
}

// (plaintextLength, segmentSize[, final]) -> sealed length, and (sealedLength, segmentSize[,
// final]) -> plaintext length (INVALID_FORMAT when no plaintext gives that many bytes), of a
// whole file or of a chunk that does (not) end it: the layout arithmetic lives in
// core/segment_stream.cc only.
Napi::Value SealedSize(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    uint64_t n = SegmentStream::ChunkSealedSize(SafeIntegerArg(info, 0, "plaintextLength"), Uint32Arg(info, 1, "segmentSize"), ChunkArg(info, 2));
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  });
}

Napi::Value PlaintextSize(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    uint64_t n = SegmentStream::ChunkPlaintextSize(SafeIntegerArg(info, 0, "sealedLength"), Uint32Arg(info, 1, "segmentSize"), ChunkArg(info, 2));
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  });
}

Napi::Value SealAsync(const Napi::CallbackInfo& info) { return Async(info, true); }
Napi::Value OpenAsync(const Napi::CallbackInfo& info) { return Async(info, false); }

}  // namespace

void RegisterSegmentFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("segmentSeal", Napi::Function::New<Seal>(env, "segmentSeal"));
  exports.Set("segmentOpen", Napi::Function::New<Open>(env, "segmentOpen"));
  exports.Set("segmentSealedSize", Napi::Function::New<SealedSize>(env, "segmentSealedSize"));
  exports.Set("segmentPlaintextSize", Napi::Function::New<PlaintextSize>(env, "segmentPlaintextSize"));
  exports.Set("segmentSealAsync", Napi::Function::New<SealAsync>(env, "segmentSealAsync"));
  exports.Set("segmentOpenAsync", Napi::Function::New<OpenAsync>(env, "segmentOpenAsync"));
}

}  // namespace openrms::binding
