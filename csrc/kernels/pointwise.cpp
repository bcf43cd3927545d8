#include "kernels/pointwise.h"

#include <cmath>
#include <type_traits>


#include "kernels/int_wrap.h"
#include "kernels/loop.h"
#include "kernels/vmath.h"

namespace tg::kernels {

namespace {

// NaN-propagating max/min, as numpy's maximum/minimum.
// NaN wins; on a tie the first operand does (maximum(0., -0.) is 0., maximum(-0., 0.) is -0.,
// and clamp keeps x at its bound), as PyTorch's.
template <class T> T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return a >= b ? a : b;
}
template <class T> T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return a <= b ? a : b;
}

// Division is the one integer op that traps in hardware: INT64_MIN / -1 raises SIGFPE on x86,
// so a divisor of -1 never reaches the divisions below. The rest wraps (see int_wrap.h).
int64_t int_pow(int64_t base, int64_t exp) {
  if (exp < 0) {  // 1/base**|exp| in integers: only 1 and -1 survive the truncation
    if (base == 1) return 1;
    if (base == -1) return (exp & 1) ? -1 : 1;
    return 0;
  }
  int64_t result = 1;
  while (exp) {
    if (exp & 1) result = wrap_mul(result, base);
    base = wrap_mul(base, base);
    exp >>= 1;
  }
  return result;
}

// Python's floor division and modulo: the quotient rounds down, the remainder takes the
// divisor's sign. Integer division by zero raises, as PyTorch does.
template <class T> T floor_div(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    // Python's float //: through the exact remainder, so 1 // -inf is -1 (floor(1 / -inf) is -0)
    // and a quotient that rounds up past an integer is corrected.
    if (y == 0) return x / y;
    const T mod = std::fmod(x, y);
    T div = (x - mod) / y;
    if (mod != 0 && ((y < 0) != (mod < 0))) div -= 1;
    if (div == 0) return std::copysign(T(0), x / y);
    T floored = std::floor(div);
    return div - floored > T(0.5) ? floored + 1 : floored;
  } else {
    TG_CHECK(y != 0, Runtime, "ZeroDivisionError");
    if (y == -1) return wrap_sub(T(0), x);  // INT64_MIN // -1 wraps to INT64_MIN (PyTorch's result)
    T q = x / y;
    return (x % y != 0 && ((x < 0) != (y < 0))) ? T(q - 1) : q;
  }
}
template <class T> T remainder(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(x, y);
    return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
  } else {
    TG_CHECK(y != 0, Runtime, "ZeroDivisionError");
    if (y == -1) return T(0);  // every integer is a multiple of -1 (and INT64_MIN % -1 traps)
    T r = x % y;
    return (r != 0 && ((r < 0) != (y < 0))) ? T(r + y) : r;
  }
}

template <class T>
void binary_typed(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  using B = bool;
  switch (op) {
    case BinaryOp::Add: return binary_loop<T, T>(out, a, b, [](T x, T y) { return wrap_add(x, y); });
    case BinaryOp::Sub: return binary_loop<T, T>(out, a, b, [](T x, T y) { return wrap_sub(x, y); });
    case BinaryOp::Mul: return binary_loop<T, T>(out, a, b, [](T x, T y) { return wrap_mul(x, y); });
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
    case BinaryOp::FloorDiv:
      if constexpr (!std::is_same_v<T, bool>) return binary_loop<T, T>(out, a, b, floor_div<T>);
      break;
    case BinaryOp::Remainder:
      if constexpr (!std::is_same_v<T, bool>) return binary_loop<T, T>(out, a, b, remainder<T>);
      break;
    case BinaryOp::LogicalAnd: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x != T(0) && y != T(0); });
    case BinaryOp::LogicalOr: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x != T(0) || y != T(0); });
    case BinaryOp::Eq: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x == y; });
    case BinaryOp::Ne: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x != y; });
    case BinaryOp::Lt: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x < y; });
    case BinaryOp::Le: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x <= y; });
    case BinaryOp::Gt: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x > y; });
    case BinaryOp::Ge: return binary_loop<T, B>(out, a, b, [](T x, T y) { return x >= y; });
  }
  TG_ERROR(Runtime, "binary kernel not implemented for dtype ", dtype_name(a.dtype()));
}


// Transcendentals on contiguous operands go through vmath (SIMD where exact enough).
template <class T>
bool try_vectorised_unary(UnaryOp op, const Tensor& out, const Tensor& a) {
  if (!(out.is_contiguous() && a.is_contiguous() && a.numel() == out.numel())) return false;
  vmath::Fn fn;
  switch (op) {
    case UnaryOp::Exp: fn = vmath::Fn::Exp; break;
    case UnaryOp::Log: fn = vmath::Fn::Log; break;
    case UnaryOp::Tanh: fn = vmath::Fn::Tanh; break;
    case UnaryOp::Sigmoid: fn = vmath::Fn::Sigmoid; break;
    default: return false;
  }
  T* o = out.data<T>();
  const T* pa = a.data<T>();
  parallel::parallel_for(out.numel(), parallel::kGrainCostly,
                         [&](int64_t b, int64_t e) { vmath::apply<T>(fn, pa + b, o + b, e - b); });
  return true;
}

template <class T>
void unary_typed(UnaryOp op, const Tensor& out, const Tensor& a) {
  if constexpr (std::is_floating_point_v<T>) {
    if (try_vectorised_unary<T>(op, out, a)) return;
    switch (op) {
      case UnaryOp::Exp: return unary_loop<T, T>(out, a, [](T x) { return std::exp(x); });
      case UnaryOp::Log: return unary_loop<T, T>(out, a, [](T x) { return std::log(x); });
      case UnaryOp::Sqrt: return unary_loop<T, T>(out, a, [](T x) { return std::sqrt(x); });
      case UnaryOp::Tanh: return unary_loop<T, T>(out, a, [](T x) { return std::tanh(x); });
      case UnaryOp::Sigmoid: return unary_loop<T, T>(out, a, vmath::sigmoid<T>);
      case UnaryOp::Reciprocal: return unary_loop<T, T>(out, a, [](T x) { return T(1) / x; });
      case UnaryOp::Rsqrt: return unary_loop<T, T>(out, a, [](T x) { return T(1) / std::sqrt(x); });
      case UnaryOp::IsNan: return unary_loop<T, bool>(out, a, [](T x) { return std::isnan(x); });
      case UnaryOp::IsInf: return unary_loop<T, bool>(out, a, [](T x) { return std::isinf(x); });
      case UnaryOp::IsFinite: return unary_loop<T, bool>(out, a, [](T x) { return std::isfinite(x); });
      default: break;
    }
  } else {  // integers and bools are never NaN or infinite
    switch (op) {
      case UnaryOp::IsNan: case UnaryOp::IsInf: return unary_loop<T, bool>(out, a, [](T) { return false; });
      case UnaryOp::IsFinite: return unary_loop<T, bool>(out, a, [](T) { return true; });
      default: break;
    }
  }
  if (op == UnaryOp::LogicalNot) return unary_loop<T, bool>(out, a, [](T x) { return x == T(0); });
  if constexpr (!std::is_same_v<T, bool>) {
    switch (op) {
      case UnaryOp::Neg: return unary_loop<T, T>(out, a, [](T x) { return wrap_sub(T(0), x); });
      // NaN stays NaN: (x > 0) is false for NaN, so return x itself unless it is <= 0.
      case UnaryOp::Relu: return unary_loop<T, T>(out, a, [](T x) { return x <= T(0) ? T(0) : x; });
      case UnaryOp::Abs: return unary_loop<T, T>(out, a, [](T x) { return x < T(0) ? wrap_sub(T(0), x) : x; });
      case UnaryOp::Sign:
        return unary_loop<T, T>(out, a, [](T x) { return x > T(0) ? T(1) : x < T(0) ? T(-1) : T(0); });
      default: break;
    }
  }
  TG_ERROR(Runtime, "unary kernel not implemented for dtype ", dtype_name(a.dtype()));
}

}  // namespace

bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq; }
bool is_predicate(UnaryOp op) { return op >= UnaryOp::IsNan; }

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
  Tensor out = Tensor::empty(a.sizes(), is_predicate(op) ? DType::Bool : a.dtype());
  unary_into(op, out, a);
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  Shape shape = broadcast_shapes(cond.sizes(), broadcast_shapes(a.sizes(), b.sizes()));
  Tensor out = Tensor::empty(shape, a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    parallel_strided_loop<4>(parallel::kGrainCheap, shape,
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
