// LazyBox: a member that is created on first use, possibly while other threads read it (a
// node's or a leaf's hooks, read by a backward running without the GIL). It lives in core
// because a leaf's AutogradMeta (core/tensor.h) holds one for TensorHooks, a type that core
// only declares (it is defined in graph/hooks.h).
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
    if (ptr_.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
      destroy_ = [](T* p) { delete p; };  // only the winner writes it; only reset() reads it
      return *fresh;
    }
    delete fresh;  // another thread won
    return *expected;
  }
  void reset() {
    if (T* p = ptr_.exchange(nullptr, std::memory_order_acq_rel)) destroy_(p);
  }

 private:
  std::atomic<T*> ptr_{nullptr};
  // How to delete the object, recorded where it was created (where T is a complete type): the
  // box itself may be destroyed where T is only declared (AutogradMeta in core/tensor.cpp).
  void (*destroy_)(T*) = nullptr;
};

}  // namespace tg
