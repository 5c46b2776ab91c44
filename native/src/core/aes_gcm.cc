#include "aes_gcm.h"

#include <cstring>
#include <string>

#include <openssl/crypto.h>

#include "error.h"

namespace openrms::core {

AesGcm::AesGcm(ByteView key) : contexts_(AesMode::kGcm, key) {}

void AesGcm::Begin(EVP_CIPHER_CTX* ctx, ByteView iv, ByteView aad, size_t& current_iv_size) {
  if (iv.size == 0 || iv.size > kGcmMaxIvSize)
    throw Error(code::kInvalidArgument, "AES-GCM iv must be 1 to " + std::to_string(kGcmMaxIvSize) +
                                            " bytes (12 recommended), got " + std::to_string(iv.size));
  if (iv.size != current_iv_size) {
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size), nullptr) != 1)
      ThrowOpenSslError("AES-GCM iv length");
    current_iv_size = iv.size;
  }
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data, -1, nullptr) != 1) ThrowOpenSslError("AES-GCM init");
  if (aad.size > 0) {
    int ignored = 0;
    size_t done = 0;
    while (done < aad.size) {
      size_t n = aad.size - done > (1u << 30) ? (1u << 30) : aad.size - done;
      if (EVP_CipherUpdate(ctx, nullptr, &ignored, aad.data + done, static_cast<int>(n)) != 1)
        ThrowOpenSslError("AES-GCM aad");
      done += n;
    }
  }
}

void AesGcm::Seal(ByteView iv, ByteView aad, ByteView plaintext, MutableByteView ciphertext, MutableByteView tag) {
  if (ciphertext.size != plaintext.size) throw Error(code::kInvalidArgument, "AES-GCM output must match input size");
  if (tag.size != kGcmTagSize) throw Error(code::kInvalidArgument, "AES-GCM tag must be 16 bytes");
  EVP_CIPHER_CTX* ctx = contexts_.encryptor();
  Begin(ctx, iv, aad, encrypt_iv_size_);
  size_t written = plaintext.size > 0 ? CipherUpdate(ctx, plaintext, ciphertext.data) : 0;
  int tail = 0;
  if (EVP_EncryptFinal_ex(ctx, ciphertext.data + written, &tail) != 1) ThrowOpenSslError("AES-GCM final");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kGcmTagSize, tag.data) != 1) ThrowOpenSslError("AES-GCM tag");
}

bool AesGcm::Open(ByteView iv, ByteView aad, ByteView ciphertext, ByteView tag, MutableByteView plaintext) {
  if (plaintext.size != ciphertext.size) throw Error(code::kInvalidArgument, "AES-GCM output must match input size");
  if (tag.size != kGcmTagSize) throw Error(code::kInvalidArgument, "AES-GCM tag must be 16 bytes");
  EVP_CIPHER_CTX* ctx = contexts_.decryptor();
  Begin(ctx, iv, aad, decrypt_iv_size_);
  size_t written = ciphertext.size > 0 ? CipherUpdate(ctx, ciphertext, plaintext.data) : 0;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kGcmTagSize, const_cast<uint8_t*>(tag.data)) != 1)
    ThrowOpenSslError("AES-GCM tag");
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx, plaintext.data + written, &tail) != 1) {
    ClearOpenSslErrors();
    if (plaintext.size > 0) OPENSSL_cleanse(plaintext.data, plaintext.size);
    return false;
  }
  return true;
}

}  // namespace openrms::core
