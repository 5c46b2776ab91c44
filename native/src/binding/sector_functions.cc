#include "sector_functions.h"

#include <atomic>
#include <memory>

#include "../core/error.h"
#include "../core/sector_cipher.h"
#include "arguments.h"
#include "errors.h"
#include "parallel_batch.h"
#include "secret_key_handle.h"

namespace openrms::binding {
namespace {

using core::SectorCipher;
using core::SectorMode;

// A thread-pool range is worth scheduling from about this much content.
constexpr size_t kMinBytesPerRange = 256 * 1024;

SectorMode ModeArg(const Napi::CallbackInfo& info, size_t index) {
  uint32_t mode = Uint32Arg(info, index, "mode");
  if (mode > static_cast<uint32_t>(SectorMode::kEcb))
    ThrowInvalidArgument(info.Env(), "mode must be 0 (CBC4K), 1 (CBC512.NOPADDING) or 2 (ECB)");
  return static_cast<SectorMode>(mode);
}

// (key, mode, input, output) -> bytes written
template <bool Encrypt>
Napi::Value Whole(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SecretKeyHandle& handle = SecretKeyHandle::From(info, 0);
    SectorMode mode = ModeArg(info, 1);
    core::ByteView input = BytesArg(info, 2, "input");
    core::MutableByteView output = OutputArg(info, 3, "output");
    SectorCipher& cipher = handle.sector(mode);
    size_t sectors = SectorCipher::SectorCount(mode, input.size, !Encrypt);
    size_t written = Encrypt ? cipher.EncryptSectors(input, 0, sectors, output) : cipher.DecryptSectors(input, 0, sectors, output);
    return Napi::Number::New(info.Env(), static_cast<double>(written));
  });
}

template <bool Encrypt>
Napi::Value WholeAsync(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    auto key = SecretKeyHandle::From(info, 0).bytes();
    SectorMode mode = ModeArg(info, 1);
    core::ByteView input = BytesArg(info, 2, "input");
    core::MutableByteView output = OutputArg(info, 3, "output");
    size_t sectors = SectorCipher::SectorCount(mode, input.size, !Encrypt);
    size_t per_range = kMinBytesPerRange / SectorCipher::BlockSize(mode);
    auto written = std::make_shared<std::atomic<size_t>>(0);
    return ParallelBatch(
        info.Env(), {info[2], info[3]}, sectors, per_range,
        [=](size_t begin, size_t end) {
          SectorCipher cipher(mode, key->view());
          size_t n = Encrypt ? cipher.EncryptSectors(input, begin, end - begin, output)
                             : cipher.DecryptSectors(input, begin, end - begin, output);
          *written += n;
        },
        [written](Napi::Env env) -> Napi::Value { return Napi::Number::New(env, static_cast<double>(written->load())); });
  });
}

// (key, mode, index, final, input, output) -> bytes written
template <bool Encrypt>
Napi::Value Block(const Napi::CallbackInfo& info) {
  return Guarded(info, [&]() -> Napi::Value {
    SecretKeyHandle& handle = SecretKeyHandle::From(info, 0);
    SectorMode mode = ModeArg(info, 1);
    uint64_t index = SafeIntegerArg(info, 2, "index");
    bool final = BoolArg(info, 3, "final");
    core::ByteView input = BytesArg(info, 4, "input");
    core::MutableByteView output = OutputArg(info, 5, "output");
    SectorCipher& cipher = handle.sector(mode);
    size_t written = Encrypt ? cipher.EncryptBlock(index, final, input, output) : cipher.DecryptBlock(index, final, input, output);
    return Napi::Number::New(info.Env(), static_cast<double>(written));
  });
}

}  // namespace

void RegisterSectorFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("sectorEncrypt", Napi::Function::New<Whole<true>>(env, "sectorEncrypt"));
  exports.Set("sectorDecrypt", Napi::Function::New<Whole<false>>(env, "sectorDecrypt"));
  exports.Set("sectorEncryptAsync", Napi::Function::New<WholeAsync<true>>(env, "sectorEncryptAsync"));
  exports.Set("sectorDecryptAsync", Napi::Function::New<WholeAsync<false>>(env, "sectorDecryptAsync"));
  exports.Set("sectorEncryptBlock", Napi::Function::New<Block<true>>(env, "sectorEncryptBlock"));
  exports.Set("sectorDecryptBlock", Napi::Function::New<Block<false>>(env, "sectorDecryptBlock"));
}

}  // namespace openrms::binding
