// LazyBox: a member that is created on first use, possibly while other threads read it (a
// node's or a leaf's hooks, read by a backward running without the GIL). Kept apart from
// hooks.h so that core/tensor.h can hold one without including the autograd headers.
#pragma once
#include <atomic>

namespace tg {

// A lazily created object that one thread may create while others read it: created once, by
// compare-and-swap, and never replaced until reset() (which the owner calls only when no one
// else can be reading it).
template <class T>
class LazyBox {
 public:
  LazyBox() = default;
  LazyBox(const LazyBox&) = delete;
  LazyBox& operator=(const LazyBox&) = delete;
  ~LazyBox() { reset(); }

  T* get() const { return ptr_.load(std::memory_order_acquire); }
  template <class Make>
  T& get_or_create(Make make) {
    if (T* p = get()) return *p;
    T* fresh = make();
    T* expected = nullptr;
    if (ptr_.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) return *fresh;
    delete fresh;  // another thread won
    return *expected;
  }
  void reset() { delete ptr_.exchange(nullptr, std::memory_order_acq_rel); }

 private:
  std::atomic<T*> ptr_{nullptr};
};

}  // namespace tg
