// PointerMap: a hash map from object pointers to values in one flat array, for the engine's
// per-backward bookkeeping (Note [Engine]). std::unordered_map allocates a node per entry, so a
// backward paid a malloc, a free and a pointer chase for every graph node it visited; here an
// entry is a slot in an array probed linearly, and the table doubles when half full.
// Only what a backward run needs: insert and find, no erase. Keys are never null.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tg {

template <class K, class V>
class PointerMap {
 public:
  explicit PointerMap(size_t expected = 8) {
    size_t buckets = 8;
    while (buckets < 2 * expected) buckets *= 2;
    rebuild(buckets);
  }

  size_t size() const { return size_; }

  // The value for `key`, value-initialised if it was absent, and whether it was inserted. The
  // pointer stays valid until the next insertion.
  std::pair<V*, bool> try_emplace(const K* key) {
    if (2 * (size_ + 1) > keys_.size()) rebuild(2 * keys_.size());
    size_t i = slot_of(key);
    if (keys_[i] == key) return {&values_[i], false};
    keys_[i] = key;
    ++size_;
    return {&values_[i], true};
  }

  // The value for `key`, or null.
  V* find(const K* key) {
    size_t i = slot_of(key);
    return keys_[i] == key ? &values_[i] : nullptr;
  }

 private:
  // Where `key` is, or the empty slot where it would go. The table is at most half full, so
  // the probe always ends.
  size_t slot_of(const K* key) const {
    // Fibonacci hashing: the top bits of the product mix every bit of the address, including
    // the low ones that allocation alignment leaves zero.
    size_t i = size_t((uint64_t(reinterpret_cast<uintptr_t>(key)) * 0x9E3779B97F4A7C15ull) >> shift_);
    while (keys_[i] && keys_[i] != key) i = (i + 1) & (keys_.size() - 1);
    return i;
  }

  void rebuild(size_t buckets) {  // `buckets` is a power of two
    std::vector<const K*> old_keys(buckets, nullptr);
    std::vector<V> old_values(buckets);
    old_keys.swap(keys_);
    old_values.swap(values_);
    shift_ = 64;
    for (size_t b = buckets; b > 1; b /= 2) --shift_;
    for (size_t j = 0; j < old_keys.size(); ++j)
      if (old_keys[j]) {
        size_t i = slot_of(old_keys[j]);
        keys_[i] = old_keys[j];
        values_[i] = std::move(old_values[j]);
      }
  }

  std::vector<const K*> keys_;
  std::vector<V> values_;
  size_t size_ = 0;
  unsigned shift_ = 64;
};

}  // namespace tg
