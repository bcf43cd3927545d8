// A refcounted, 64-byte-aligned buffer plus the version counter that in-place writes bump.
// Views share the Storage (and so its counter); `.data` gets an alias with a fresh counter.
// A buffer of at most kInlineBytes (a scalar, a 2x2 float32, the 0-d number an operator wraps)
// lives inside the Storage object itself: one allocation fewer per small op.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tg {

class Storage {
 public:
  // Fresh memory; RuntimeError naming the byte count when the allocation fails.
  static std::shared_ptr<Storage> allocate(size_t nbytes);
  // Memory owned elsewhere (a numpy array): `owner` keeps it alive and releases it.
  static std::shared_ptr<Storage> wrap(void* data, size_t nbytes, std::shared_ptr<void> owner);
  // The same bytes with a separate version counter (PyTorch's `.data` semantics).
  static std::shared_ptr<Storage> alias(const std::shared_ptr<Storage>& of);

  Storage(void* data, size_t nbytes, std::shared_ptr<void> owner, bool owns)
      : data_(data), nbytes_(nbytes), owner_(std::move(owner)), owns_(owns) {}
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  // True when this storage allocated its bytes (not a numpy array's, not an alias's).
  bool owns_memory() const { return owns_; }
  static constexpr size_t kInlineBytes = 32;
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_;
  size_t nbytes_;
  std::atomic<uint32_t> version_{0};
  std::shared_ptr<void> owner_;
  bool owns_;
  // Room for kInlineBytes starting at a 64-byte boundary. Padding instead of alignas(64): an
  // over-aligned make_shared takes glibc's slow memalign path, which cost more than it saved.
  alignas(16) unsigned char inline_[kInlineBytes + 48];
};

}  // namespace tg
