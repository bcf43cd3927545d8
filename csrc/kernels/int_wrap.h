// Note [Integer overflow wraps]: int64 arithmetic that leaves int64's range wraps around, as
// PyTorch's does (two's complement), instead of being undefined behaviour: it is done in the
// unsigned type, where wrapping is defined. Floating types and bool use the plain operators.
#pragma once
#include <type_traits>

namespace tg::kernels {

template <class T> constexpr bool kWraps = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class T> T wrap_add(T x, T y) {
  if constexpr (kWraps<T>) return T(std::make_unsigned_t<T>(x) + std::make_unsigned_t<T>(y));
  else return T(x + y);
}
template <class T> T wrap_sub(T x, T y) {
  if constexpr (kWraps<T>) return T(std::make_unsigned_t<T>(x) - std::make_unsigned_t<T>(y));
  else return T(x - y);
}
template <class T> T wrap_mul(T x, T y) {
  if constexpr (kWraps<T>) return T(std::make_unsigned_t<T>(x) * std::make_unsigned_t<T>(y));
  else return T(x * y);
}

}  // namespace tg::kernels
