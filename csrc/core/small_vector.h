// A vector that keeps up to N elements inline (no heap allocation) and spills to the heap
// beyond that. Shapes and strides are almost always short, and creating a tensor must not
// allocate for them: this is the "small inline shape type" of the hot path. A graph node's
// edges and output metadata are short too (one or two of each), so a Node keeps them inline
// the same way and costs one allocation instead of three.
//
// Elements may be any movable type (an Edge holds a shared_ptr); for plain values such as
// int64_t the element-wise moves below compile to the memcpy they would be written as.
#pragma once
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>
#include <utility>

namespace tg {

template <class T, size_t N>
class SmallVector {
  static_assert(N > 0, "SmallVector needs room for at least one inline element");

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVector() = default;
  explicit SmallVector(size_t n, const T& value = T()) { assign(n, value); }
  SmallVector(std::initializer_list<T> init) { assign(init.begin(), init.end()); }
  template <class It, class = decltype(*std::declval<It>())>
  SmallVector(It first, It last) { assign(first, last); }
  SmallVector(const SmallVector& o) { assign(o.begin(), o.end()); }
  SmallVector(SmallVector&& o) noexcept { steal(o); }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      clear();
      release_heap();
      steal(o);
    }
    return *this;
  }
  ~SmallVector() {
    clear();
    release_heap();
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return heap_ ? heap_ : inline_data(); }
  const T* data() const { return heap_ ? heap_ : inline_data(); }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }
  const T& back() const { return data()[size_ - 1]; }

  void reserve(size_t n) {
    if (n <= capacity()) return;
    T* fresh = static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
    std::uninitialized_move(begin(), end(), fresh);
    std::destroy(begin(), end());
    release_heap();
    heap_ = fresh;
    heap_capacity_ = n;
  }
  void resize(size_t n, const T& value = T()) {
    if (n < size_) {
      std::destroy(begin() + n, end());
    } else {
      reserve(n);
      std::uninitialized_fill(end(), data() + n, value);
    }
    size_ = n;
  }
  void clear() {
    std::destroy(begin(), end());
    size_ = 0;
  }
  void push_back(const T& v) { emplace_back(v); }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == capacity()) {
      // Build the element first: an argument may refer into this vector's own storage.
      T v(std::forward<Args>(args)...);
      reserve(std::max<size_t>(2 * capacity(), 4));
      return *new (data() + size_++) T(std::move(v));
    }
    return *new (data() + size_++) T(std::forward<Args>(args)...);
  }
  void pop_back() { std::destroy_at(data() + --size_); }
  iterator insert(const_iterator pos, T v) {
    size_t i = pos - begin();
    push_back(std::move(v));
    std::rotate(begin() + i, end() - 1, end());
    return begin() + i;
  }
  iterator erase(const_iterator pos) {
    size_t i = pos - begin();
    std::move(begin() + i + 1, end(), begin() + i);
    pop_back();
    return begin() + i;
  }
  template <class It>
  void assign(It first, It last) {
    clear();
    reserve(std::distance(first, last));
    size_ = std::uninitialized_copy(first, last, data()) - data();
  }
  void assign(size_t n, const T& value) {
    clear();
    reserve(n);
    std::uninitialized_fill_n(data(), n, value);
    size_ = n;
  }

  friend bool operator==(const SmallVector& a, const SmallVector& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }
  friend bool operator!=(const SmallVector& a, const SmallVector& b) { return !(a == b); }

 private:
  size_t capacity() const { return heap_ ? heap_capacity_ : N; }
  T* inline_data() { return std::launder(reinterpret_cast<T*>(inline_)); }
  const T* inline_data() const { return std::launder(reinterpret_cast<const T*>(inline_)); }
  void release_heap() {
    if (heap_) ::operator delete(heap_, std::align_val_t(alignof(T)));
    heap_ = nullptr;
    heap_capacity_ = 0;
  }
  // Takes o's elements, leaving o empty; *this must hold no elements and no heap block.
  void steal(SmallVector& o) {
    if (o.heap_) {
      heap_ = o.heap_;
      heap_capacity_ = o.heap_capacity_;
      o.heap_ = nullptr;
      o.heap_capacity_ = 0;
    } else {
      std::uninitialized_move(o.begin(), o.end(), inline_data());
      std::destroy(o.begin(), o.end());
    }
    size_ = o.size_;
    o.size_ = 0;
  }

  alignas(T) unsigned char inline_[N * sizeof(T)];
  T* heap_ = nullptr;
  size_t heap_capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace tg
