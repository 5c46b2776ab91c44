#include "aes_cbc.h"

#include <string>

#include <openssl/crypto.h>

#include "error.h"

namespace openrms::core {
namespace {

void RequireAligned(size_t size, const char* what) {
  if (size % kAesBlockSize != 0)
    throw Error(code::kNotBlockAligned, std::string(what) + " must be a multiple of 16 bytes, got " + std::to_string(size));
}

void RequireOutput(MutableByteView out, size_t needed) {
  if (out.size < needed)
    throw Error(code::kInvalidArgument, "output buffer too small: need " + std::to_string(needed) + " bytes, got " +
                                            std::to_string(out.size));
}

void RequireIv(ByteView iv) {
  if (iv.size != kAesBlockSize) throw Error(code::kInvalidArgument, "AES-CBC iv must be 16 bytes, got " + std::to_string(iv.size));
}

// Runs one whole message through a keyed context: new IV (none for ECB), padding flag,
// update, final. Returns the bytes written.
size_t RunMessage(EVP_CIPHER_CTX* ctx, const uint8_t* iv, ByteView in, MutableByteView out, Padding padding) {
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, -1, nullptr) != 1) ThrowOpenSslError("AES init");
  EVP_CIPHER_CTX_set_padding(ctx, padding == Padding::kPkcs7 ? 1 : 0);
  size_t written = in.size > 0 ? CipherUpdate(ctx, in, out.data) : 0;
  int tail = 0;
  if (EVP_CipherFinal_ex(ctx, out.data + written, &tail) != 1) {
    ClearOpenSslErrors();
    OPENSSL_cleanse(out.data, out.size);
    throw Error(code::kDecryptionFailed, "AES decryption failed (bad padding or wrong key)");
  }
  return written + static_cast<size_t>(tail);
}

}  // namespace

size_t CbcCiphertextSize(size_t plaintext_size, Padding padding) {
  return padding == Padding::kPkcs7 ? (plaintext_size / kAesBlockSize + 1) * kAesBlockSize : plaintext_size;
}

AesCbc::AesCbc(ByteView key) : contexts_(AesMode::kCbc, key) {}

size_t AesCbc::Encrypt(ByteView iv, ByteView in, MutableByteView out, Padding padding) {
  RequireIv(iv);
  if (padding == Padding::kNone) RequireAligned(in.size, "AES-CBC input without padding");
  RequireOutput(out, CbcCiphertextSize(in.size, padding));
  return RunMessage(contexts_.encryptor(), iv.data, in, out, padding);
}

size_t AesCbc::Decrypt(ByteView iv, ByteView in, MutableByteView out, Padding padding) {
  RequireIv(iv);
  RequireAligned(in.size, "AES-CBC ciphertext");
  if (padding == Padding::kPkcs7 && in.size == 0)
    throw Error(code::kDecryptionFailed, "AES-CBC ciphertext with padding cannot be empty");
  RequireOutput(out, in.size);
  return RunMessage(contexts_.decryptor(), iv.data, in, out, padding);
}

AesEcb::AesEcb(ByteView key) : contexts_(AesMode::kEcb, key) {}

void AesEcb::Encrypt(ByteView in, MutableByteView out) {
  RequireAligned(in.size, "AES-ECB input");
  RequireOutput(out, in.size);
  RunMessage(contexts_.encryptor(), nullptr, in, out, Padding::kNone);
}

void AesEcb::Decrypt(ByteView in, MutableByteView out) {
  RequireAligned(in.size, "AES-ECB input");
  RequireOutput(out, in.size);
  RunMessage(contexts_.decryptor(), nullptr, in, out, Padding::kNone);
}

}  // namespace openrms::core
