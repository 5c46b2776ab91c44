#include "aes_functions.h"

#include <memory>
#include <string>
#include <vector>

#include "../core/aes_cbc.h"
#include "../core/aes_gcm.h"
#include "../core/error.h"
#include "arguments.h"
#include "background_job.h"
#include "errors.h"
#include "parallel_batch.h"
#include "secret_key_handle.h"

namespace openrms::binding {
namespace {

using core::ByteView;
using core::MutableByteView;

// A batch range is worth its own thread only past this many records.
constexpr size_t kMinRecordsPerThread = 256;

// ---- one-shot AES-GCM -----------------------------------------------------------------
// Arguments: (key, iv, aad|null, input, tag, output); `tag` is written by seal, read by open.
struct GcmCall {
  std::shared_ptr<const core::SecretBytes> key;
  ByteView iv, aad, input;
  MutableByteView tag, output;
};

GcmCall ParseGcm(const Napi::CallbackInfo& info, SecretKeyHandle& handle) {
  GcmCall call;
  call.key = handle.bytes();
  call.iv = BytesArg(info, 1, "iv");
  call.aad = OptionalBytesArg(info, 2, "aad");
  call.input = BytesArg(info, 3, "input");
  call.tag = OutputArg(info, 4, "tag");
  call.output = OutputArg(info, 5, "output");
  return call;
}

void Seal(core::AesGcm& gcm, const GcmCall& c) { gcm.Seal(c.iv, c.aad, c.input, c.output, c.tag); }
bool Open(core::AesGcm& gcm, const GcmCall& c) {
  return gcm.Open(c.iv, c.aad, c.input, ByteView(c.tag.data, c.tag.size), c.output);
}

std::vector<Napi::Value> PinnedArgs(const Napi::CallbackInfo& info) {
  std::vector<Napi::Value> pinned;
  for (size_t i = 0; i < info.Length(); ++i)
    if (info[i].IsObject()) pinned.push_back(info[i]);
  return pinned;
}

Napi::Value GcmSeal(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SecretKeyHandle& handle = SecretKeyHandle::From(info, 0);
    Seal(handle.gcm(), ParseGcm(info, handle));
    return info.Env().Undefined();
  });
}

Napi::Value GcmOpen(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SecretKeyHandle& handle = SecretKeyHandle::From(info, 0);
    return Napi::Boolean::New(info.Env(), Open(handle.gcm(), ParseGcm(info, handle)));
  });
}

Napi::Value GcmSealAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    GcmCall call = ParseGcm(info, SecretKeyHandle::From(info, 0));
    return BackgroundJob::Promise(
        info.Env(), PinnedArgs(info),
        [call] {
          core::AesGcm gcm(call.key->view());
          Seal(gcm, call);
        },
        [](Napi::Env env) -> Napi::Value { return env.Undefined(); });
  });
}

Napi::Value GcmOpenAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    GcmCall call = ParseGcm(info, SecretKeyHandle::From(info, 0));
    auto ok = std::make_shared<bool>(false);
    return BackgroundJob::Promise(
        info.Env(), PinnedArgs(info),
        [call, ok] {
          core::AesGcm gcm(call.key->view());
          *ok = Open(gcm, call);
        },
        [ok](Napi::Env env) -> Napi::Value { return Napi::Boolean::New(env, *ok); });
  });
}

// ---- batch AES-GCM --------------------------------------------------------------------
// Arguments: (key, ivs, ivSize, records, offsets|null, aad|null, output[, status]).
// `records` is an Array of byte arrays, or one byte array cut by `offsets` (a Uint32Array of
// n+1 ascending positions). Sealing writes each record as ciphertext || tag, back to back,
// into `output`; opening reads such records and writes the plaintexts back to back, and sets
// status[i] to 1 when record i authenticated (0 otherwise, with its plaintext zeroed).
struct GcmBatch {
  std::shared_ptr<const core::SecretBytes> key;
  std::vector<ByteView> records;
  std::vector<ByteView> ivs;
  std::vector<MutableByteView> outputs;
  ByteView aad;
  uint8_t* status = nullptr;
};

std::vector<ByteView> ParseRecords(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<ByteView> records;
  if (info[3].IsArray()) {
    Napi::Array array = info[3].As<Napi::Array>();
    records.reserve(array.Length());
    for (uint32_t i = 0; i < array.Length(); ++i)
      records.push_back(BytesOfElement(env, array.Get(i), "records", i));
    return records;
  }
  ByteView all = BytesArg(info, 3, "records");
  if (!info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    ThrowInvalidArgument(env, "offsets must be a Uint32Array when records is one buffer");
  Napi::Uint32Array offsets = info[4].As<Napi::Uint32Array>();
  if (offsets.ElementLength() < 1) ThrowInvalidArgument(env, "offsets must hold at least one position");
  records.reserve(offsets.ElementLength() - 1);
  for (size_t i = 0; i + 1 < offsets.ElementLength(); ++i) {
    uint32_t begin = offsets[i], end = offsets[i + 1];
    if (begin > end || end > all.size)
      ThrowInvalidArgument(env, "offsets must ascend and stay within records (at index " + std::to_string(i) + ")");
    records.push_back(all.subview(begin, end - begin));
  }
  return records;
}

GcmBatch ParseGcmBatch(const Napi::CallbackInfo& info, bool seal) {
  Napi::Env env = info.Env();
  GcmBatch batch;
  batch.key = SecretKeyHandle::From(info, 0).bytes();
  ByteView ivs = BytesArg(info, 1, "ivs");
  uint32_t iv_size = Uint32Arg(info, 2, "ivSize");
  batch.records = ParseRecords(info);
  batch.aad = OptionalBytesArg(info, 5, "aad");
  MutableByteView output = OutputArg(info, 6, "output");
  size_t n = batch.records.size();
  if (iv_size == 0 || iv_size > core::kGcmMaxIvSize) ThrowInvalidArgument(env, "ivSize must be 1 to " + std::to_string(core::kGcmMaxIvSize));
  if (ivs.size != n * iv_size) ThrowInvalidArgument(env, "ivs must hold one ivSize-byte IV per record");
  size_t position = 0;
  batch.outputs.reserve(n);
  batch.ivs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    batch.ivs.push_back(ivs.subview(i * iv_size, iv_size));
    size_t in = batch.records[i].size;
    if (!seal && in < core::kGcmTagSize)
      ThrowInvalidArgument(env, "record " + std::to_string(i) + " is shorter than a GCM tag");
    size_t out = seal ? in + core::kGcmTagSize : in - core::kGcmTagSize;
    if (out > output.size - position) ThrowInvalidArgument(env, "output is too small for the batch");
    batch.outputs.push_back(output.subview(position, out));
    position += out;
  }
  if (!seal) {
    MutableByteView status = OutputArg(info, 7, "status");
    if (status.size < n) ThrowInvalidArgument(env, "status must hold one byte per record");
    batch.status = status.data;
  }
  return batch;
}

void SealRange(core::AesGcm& gcm, const GcmBatch& b, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    size_t n = b.records[i].size;
    gcm.Seal(b.ivs[i], b.aad, b.records[i], b.outputs[i].subview(0, n), b.outputs[i].subview(n, core::kGcmTagSize));
  }
}

void OpenRange(core::AesGcm& gcm, const GcmBatch& b, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    size_t n = b.records[i].size - core::kGcmTagSize;
    b.status[i] = gcm.Open(b.ivs[i], b.aad, b.records[i].subview(0, n), b.records[i].subview(n, core::kGcmTagSize),
                           b.outputs[i])
                      ? 1
                      : 0;
  }
}

Napi::Value GcmSealBatch(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    GcmBatch batch = ParseGcmBatch(info, true);
    SealRange(SecretKeyHandle::From(info, 0).gcm(), batch, 0, batch.records.size());
    return info.Env().Undefined();
  });
}

Napi::Value GcmOpenBatch(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    GcmBatch batch = ParseGcmBatch(info, false);
    OpenRange(SecretKeyHandle::From(info, 0).gcm(), batch, 0, batch.records.size());
    return info.Env().Undefined();
  });
}

Napi::Value GcmBatchAsync(const Napi::CallbackInfo& info, bool seal) {
  return Guarded(info, [&]() -> Napi::Value {
    auto batch = std::make_shared<const GcmBatch>(ParseGcmBatch(info, seal));
    return ParallelBatch(
        info.Env(), PinnedArgs(info), batch->records.size(), kMinRecordsPerThread,
        [batch, seal](size_t begin, size_t end) {
          core::AesGcm gcm(batch->key->view());
          seal ? SealRange(gcm, *batch, begin, end) : OpenRange(gcm, *batch, begin, end);
        },
        [](Napi::Env env) -> Napi::Value { return env.Undefined(); });
  });
}

Napi::Value GcmSealBatchAsync(const Napi::CallbackInfo& info) { return GcmBatchAsync(info, true); }
Napi::Value GcmOpenBatchAsync(const Napi::CallbackInfo& info) { return GcmBatchAsync(info, false); }

// ---- AES-CBC and AES-ECB --------------------------------------------------------------
// CBC arguments: (key, iv, input, output, pkcs7Padding) -> bytes written.
// ECB arguments: (key, input, output) -> bytes written.
enum class BlockOp { kCbcEncrypt, kCbcDecrypt, kEcbEncrypt, kEcbDecrypt };

struct BlockCall {
  BlockOp op;
  std::shared_ptr<const core::SecretBytes> key;
  ByteView iv, input;
  MutableByteView output;
  core::Padding padding = core::Padding::kNone;
};

BlockCall ParseBlock(const Napi::CallbackInfo& info, BlockOp op) {
  BlockCall call;
  call.op = op;
  call.key = SecretKeyHandle::From(info, 0).bytes();
  bool cbc = op == BlockOp::kCbcEncrypt || op == BlockOp::kCbcDecrypt;
  size_t i = 1;
  if (cbc) call.iv = BytesArg(info, i++, "iv");
  call.input = BytesArg(info, i++, "input");
  call.output = OutputArg(info, i++, "output");
  if (cbc) call.padding = BoolArg(info, i, "padding") ? core::Padding::kPkcs7 : core::Padding::kNone;
  return call;
}

// `cbc` / `ecb` return the expanded key to use: the handle's cached one on the JavaScript
// thread, a fresh one on a worker thread.
template <class CbcFor, class EcbFor>
size_t RunBlock(const BlockCall& c, CbcFor cbc, EcbFor ecb) {
  switch (c.op) {
    case BlockOp::kCbcEncrypt: return cbc().Encrypt(c.iv, c.input, c.output, c.padding);
    case BlockOp::kCbcDecrypt: return cbc().Decrypt(c.iv, c.input, c.output, c.padding);
    case BlockOp::kEcbEncrypt: ecb().Encrypt(c.input, c.output); return c.input.size;
    case BlockOp::kEcbDecrypt: ecb().Decrypt(c.input, c.output); return c.input.size;
  }
  return 0;
}

template <BlockOp Op>
Napi::Value BlockSync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SecretKeyHandle& handle = SecretKeyHandle::From(info, 0);
    BlockCall call = ParseBlock(info, Op);
    size_t written = RunBlock(
        call, [&]() -> core::AesCbc& { return handle.cbc(); }, [&]() -> core::AesEcb& { return handle.ecb(); });
    return Napi::Number::New(info.Env(), static_cast<double>(written));
  });
}

template <BlockOp Op>
Napi::Value BlockAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    BlockCall call = ParseBlock(info, Op);
    auto written = std::make_shared<size_t>(0);
    return BackgroundJob::Promise(
        info.Env(), PinnedArgs(info),
        [call, written] {
          std::unique_ptr<core::AesCbc> cbc;
          std::unique_ptr<core::AesEcb> ecb;
          *written = RunBlock(
              call,
              [&]() -> core::AesCbc& { return *(cbc = std::make_unique<core::AesCbc>(call.key->view())); },
              [&]() -> core::AesEcb& { return *(ecb = std::make_unique<core::AesEcb>(call.key->view())); });
        },
        [written](Napi::Env env) -> Napi::Value { return Napi::Number::New(env, static_cast<double>(*written)); });
  });
}

}  // namespace

void RegisterAesFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("gcmSeal", Napi::Function::New<GcmSeal>(env, "gcmSeal"));
  exports.Set("gcmOpen", Napi::Function::New<GcmOpen>(env, "gcmOpen"));
  exports.Set("gcmSealAsync", Napi::Function::New<GcmSealAsync>(env, "gcmSealAsync"));
  exports.Set("gcmOpenAsync", Napi::Function::New<GcmOpenAsync>(env, "gcmOpenAsync"));
  exports.Set("gcmSealBatch", Napi::Function::New<GcmSealBatch>(env, "gcmSealBatch"));
  exports.Set("gcmOpenBatch", Napi::Function::New<GcmOpenBatch>(env, "gcmOpenBatch"));
  exports.Set("gcmSealBatchAsync", Napi::Function::New<GcmSealBatchAsync>(env, "gcmSealBatchAsync"));
  exports.Set("gcmOpenBatchAsync", Napi::Function::New<GcmOpenBatchAsync>(env, "gcmOpenBatchAsync"));
  exports.Set("cbcEncrypt", Napi::Function::New<BlockSync<BlockOp::kCbcEncrypt>>(env, "cbcEncrypt"));
  exports.Set("cbcDecrypt", Napi::Function::New<BlockSync<BlockOp::kCbcDecrypt>>(env, "cbcDecrypt"));
  exports.Set("ecbEncrypt", Napi::Function::New<BlockSync<BlockOp::kEcbEncrypt>>(env, "ecbEncrypt"));
  exports.Set("ecbDecrypt", Napi::Function::New<BlockSync<BlockOp::kEcbDecrypt>>(env, "ecbDecrypt"));
  exports.Set("cbcEncryptAsync", Napi::Function::New<BlockAsync<BlockOp::kCbcEncrypt>>(env, "cbcEncryptAsync"));
  exports.Set("cbcDecryptAsync", Napi::Function::New<BlockAsync<BlockOp::kCbcDecrypt>>(env, "cbcDecryptAsync"));
  exports.Set("ecbEncryptAsync", Napi::Function::New<BlockAsync<BlockOp::kEcbEncrypt>>(env, "ecbEncryptAsync"));
  exports.Set("ecbDecryptAsync", Napi::Function::New<BlockAsync<BlockOp::kEcbDecrypt>>(env, "ecbDecryptAsync"));
}

}  // namespace openrms::binding
