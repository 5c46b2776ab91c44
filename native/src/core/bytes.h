// Byte views and secret storage shared by every primitive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace openrms::core {

// A read-only view of caller memory (a JavaScript Buffer read in place, a test vector).
struct ByteView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  ByteView() = default;
  ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}
  ByteView(const std::vector<uint8_t>& v) : data(v.data()), size(v.size()) {}  // NOLINT: implicit on purpose
  ByteView subview(size_t offset, size_t length) const { return {data + offset, length}; }
};

// A writable view of caller memory: outputs go straight into preallocated buffers.
struct MutableByteView {
  uint8_t* data = nullptr;
  size_t size = 0;

  MutableByteView() = default;
  MutableByteView(uint8_t* d, size_t n) : data(d), size(n) {}
  MutableByteView(std::vector<uint8_t>& v) : data(v.data()), size(v.size()) {}  // NOLINT: implicit on purpose
  MutableByteView subview(size_t offset, size_t length) const { return {data + offset, length}; }
};

// Key bytes that are wiped (OPENSSL_cleanse) when released, whatever the exit path.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(ByteView bytes);
  ~SecretBytes();
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;

  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* data() { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  ByteView view() const { return {bytes_.data(), bytes_.size()}; }
  void Wipe() noexcept;

 private:
  std::vector<uint8_t> bytes_;
};

// Constant-time comparison of two equal-length byte strings (CRYPTO_memcmp).
bool ConstantTimeEquals(ByteView a, ByteView b);

}  // namespace openrms::core
