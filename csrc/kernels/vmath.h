// exp, log, tanh and sigmoid over contiguous runs, vectorised where that is exact enough.
//
// Eigen's SIMD versions are within a few ulp of the C library's over most of the range, and
// several times faster, but not everywhere: exp's argument is clamped (so exp(-inf) is not 0
// and float exp(88.5) overflows), subnormal inputs and results are flushed to zero, and its
// logistic() is only good to 1e-4 in the far tail. So each block of a run is checked first:
// a block whose values all lie where Eigen matches the C library (no NaN, no infinity, no
// subnormal) takes the vector path; any other block the scalar C library, element by element.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <Eigen/Core>

namespace tg::kernels::vmath {

enum class Fn { Exp, Log, Tanh, Sigmoid };

template <class T>
struct Range {
  T lo, hi;
};

// Where the vector path agrees with the C library, per function and type.
template <class T>
Range<T> safe_range(Fn fn) {
  constexpr bool f32 = std::is_same_v<T, float>;
  const T tiny = std::numeric_limits<T>::min(), huge = std::numeric_limits<T>::max();
  switch (fn) {
    case Fn::Exp: return f32 ? Range<T>{T(-87), T(88)} : Range<T>{T(-708), T(709)};
    case Fn::Log: return {tiny, huge};
    case Fn::Tanh: return {-huge, huge};
    case Fn::Sigmoid: return f32 ? Range<T>{T(-87), T(87)} : Range<T>{T(-708), T(708)};
  }
  return {T(0), T(0)};
}

// 1 / (1 + e^-x), written so that the far negative tail keeps its subnormal values instead of
// overflowing e^-x to infinity.
template <class T>
T sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

template <class T>
T scalar(Fn fn, T x) {
  switch (fn) {
    case Fn::Exp: return std::exp(x);
    case Fn::Log: return std::log(x);
    case Fn::Tanh: return std::tanh(x);
    case Fn::Sigmoid: return sigmoid(x);
  }
  return x;
}

// y[i] = fn(x[i]) for i < n; x and y may be the same memory.
template <class T>
void apply(Fn fn, const T* x, T* y, int64_t n) {
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  constexpr int64_t kBlock = 1024;
  const Range<T> r = safe_range<T>(fn);
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t len = std::min(kBlock, n - b);
    int outside = 0;
    for (int64_t i = 0; i < len; ++i) outside |= !(x[b + i] >= r.lo) | !(x[b + i] <= r.hi);
    if (outside) {
      for (int64_t i = 0; i < len; ++i) y[b + i] = scalar(fn, x[b + i]);
      continue;
    }
    Eigen::Map<const Array> in(x + b, len);
    Eigen::Map<Array> out(y + b, len);
    switch (fn) {
      case Fn::Exp: out = in.exp(); break;
      case Fn::Log: out = in.log(); break;
      case Fn::Tanh: out = in.tanh(); break;
      case Fn::Sigmoid: out = (T(1) + (-in).exp()).inverse(); break;
    }
  }
}

}  // namespace tg::kernels::vmath
