#include "kernels/pointwise.h"

#include <cmath>
#include <type_traits>

#include "kernels/loop.h"

namespace tg::kernels {

namespace {

// NaN-propagating max/min, as numpy's maximum/minimum.
template <class T> T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return a > b ? a : b;
}
template <class T> T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return a < b ? a : b;
}

int64_t int_pow(int64_t base, int64_t exp) {
  if (exp < 0) {  // 1/base**|exp| in integers: only 1 and -1 survive the truncation
    if (base == 1) return 1;
    if (base == -1) return (exp & 1) ? -1 : 1;
    return 0;
  }
  int64_t result = 1;
  while (exp) {
    if (exp & 1) result *= base;
    base *= base;
    exp >>= 1;
  }
  return result;
}

template <class T>
void binary_typed(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  using B = bool;
  switch (op) {
    case BinaryOp::Add: return binary_loop<T, T>(out, a, b, [](T x, T y) { return T(x + y); });
    case BinaryOp::Sub: return binary_loop<T, T>(out, a, b, [](T x, T y) { return T(x - y); });
    case BinaryOp::Mul: return binary_loop<T, T>(out, a, b, [](T x, T y) { return T(x * y); });
    case BinaryOp::Div:
      if constexpr (std::is_floating_point_v<T>)
        return binary_loop<T, T>(out, a, b, [](T x, T y) { return x / y; });
      break;
    case BinaryOp::Pow:
      if constexpr (std::is_floating_point_v<T>)
        return binary_loop<T, T>(out, a, b, [](T x, T y) { return std::pow(x, y); });
      if constexpr (std::is_same_v<T, int64_t>)
        return binary_loop<T, T>(out, a, b, [](T x, T y) { return int_pow(x, y); });
      break;
    case BinaryOp::Maximum: return binary_loop<T, T>(out, a, b, nan_max<T>);
    case BinaryOp::Minimum: return binary_loop<T, T>(out, a, b, nan_min<T>);
    case BinaryOp::Eq: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x == y; });
    case BinaryOp::Ne: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x != y; });
    case BinaryOp::Lt: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x < y; });
    case BinaryOp::Le: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x <= y; });
    case BinaryOp::Gt: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x > y; });
    case BinaryOp::Ge: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x >= y; });
  }
  TG_ERROR(Runtime, "binary kernel not implemented for dtype ", dtype_name(a.dtype()));
}

template <class T> T sigmoid(T x) { return T(1) / (T(1) + std::exp(-x)); }

template <class T>
void unary_typed(UnaryOp op, const Tensor& out, const Tensor& a) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::Exp: return unary_loop<T, T>(out, a, [](T x) { return std::exp(x); });
      case UnaryOp::Log: return unary_loop<T, T>(out, a, [](T x) { return std::log(x); });
      case UnaryOp::Sqrt: return unary_loop<T, T>(out, a, [](T x) { return std::sqrt(x); });
      case UnaryOp::Tanh: return unary_loop<T, T>(out, a, [](T x) { return std::tanh(x); });
      case UnaryOp::Sigmoid: return unary_loop<T, T>(out, a, sigmoid<T>);
      case UnaryOp::Reciprocal: return unary_loop<T, T>(out, a, [](T x) { return T(1) / x; });
      default: break;
    }
  }
  if constexpr (!std::is_same_v<T, bool>) {
    switch (op) {
      case UnaryOp::Neg: return unary_loop<T, T>(out, a, [](T x) { return T(-x); });
      // NaN stays NaN: (x > 0) is false for NaN, so return x itself unless it is <= 0.
      case UnaryOp::Relu: return unary_loop<T, T>(out, a, [](T x) { return x <= T(0) ? T(0) : x; });
      case UnaryOp::Abs: return unary_loop<T, T>(out, a, [](T x) { return x < T(0) ? T(-x) : x; });
      case UnaryOp::Sign:
        return unary_loop<T, T>(out, a, [](T x) { return x > T(0) ? T(1) : x < T(0) ? T(-1) : T(0); });
      default: break;
    }
  }
  TG_ERROR(Runtime, "unary kernel not implemented for dtype ", dtype_name(a.dtype()));
}

}  // namespace

bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq; }

void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  visit_dtype(a.dtype(), [&](auto tag) { binary_typed<typename decltype(tag)::type>(op, out, a, b); });
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  Shape shape = broadcast_shapes(a.sizes(), b.sizes());
  Tensor out = Tensor::empty(shape, is_comparison(op) ? DType::Bool : a.dtype());
  binary_into(op, out, a, b);
  return out;
}

void unary_into(UnaryOp op, const Tensor& out, const Tensor& a) {
  visit_dtype(a.dtype(), [&](auto tag) { unary_typed<typename decltype(tag)::type>(op, out, a); });
}

Tensor unary(UnaryOp op, const Tensor& a) {
  Tensor out = Tensor::empty(a.sizes(), a.dtype());
  unary_into(op, out, a);
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  Shape shape = broadcast_shapes(cond.sizes(), broadcast_shapes(a.sizes(), b.sizes()));
  Tensor out = Tensor::empty(shape, a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    strided_loop<4>(shape,
                    {out.strides(), broadcast_strides(cond, shape), broadcast_strides(a, shape),
                     broadcast_strides(b, shape)},
                    {(char*)out.raw_data(), (char*)cond.raw_data(), (char*)a.raw_data(), (char*)b.raw_data()},
                    {(int64_t)sizeof(T), 1, (int64_t)sizeof(T), (int64_t)sizeof(T)},
                    [](char** p, const int64_t* s, int64_t n) {
                      for (int64_t i = 0; i < n; ++i)
                        *(T*)(p[0] + i * s[0]) = *(const bool*)(p[1] + i * s[1])
                                                     ? *(const T*)(p[2] + i * s[2])
                                                     : *(const T*)(p[3] + i * s[3]);
                    });
  });
  return out;
}

}  // namespace tg::kernels
