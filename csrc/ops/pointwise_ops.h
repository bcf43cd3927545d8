// The pointwise ops of issue 16 (unary_trig.cpp, unary_special.cpp, rounding.cpp,
// binary_math.cpp, bitwise.cpp): declared here rather than in ops.h, which every file
// includes, so that the backward formulas of one family can call the ops of another.
#pragma once
#include <optional>

#include "core/scalar.h"
#include "core/tensor.h"

namespace tg {

// ---- unary.cpp ----
Tensor log10(const Tensor& a);
Tensor exp2(const Tensor& a);

// ---- unary_trig.cpp: trig, hyperbolic and their inverses; angle conversions ----
Tensor sinh(const Tensor& a);
Tensor cosh(const Tensor& a);
Tensor asin(const Tensor& a);
Tensor acos(const Tensor& a);
Tensor atan(const Tensor& a);
Tensor asinh(const Tensor& a);
Tensor acosh(const Tensor& a);
Tensor atanh(const Tensor& a);
Tensor deg2rad(const Tensor& a);
Tensor rad2deg(const Tensor& a);

// ---- unary_special.cpp: special functions ----
Tensor erfc(const Tensor& a);
Tensor erfinv(const Tensor& a);
Tensor lgamma(const Tensor& a);
Tensor digamma(const Tensor& a);
Tensor polygamma(int64_t n, const Tensor& a);
Tensor logit(const Tensor& a, std::optional<double> eps);
Tensor nan_to_num(const Tensor& a, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf);

// ---- rounding.cpp: integer parts (zero gradient) ----
Tensor floor(const Tensor& a);
Tensor ceil(const Tensor& a);
Tensor trunc(const Tensor& a);
Tensor round(const Tensor& a);
Tensor frac(const Tensor& a);

// ---- binary_math.cpp ----
Tensor xlogy(const Tensor& a, const Tensor& b);
Tensor copysign(const Tensor& a, const Tensor& b);
Tensor fmod(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor float_power(const Tensor& a, const Tensor& b);
Tensor float_power_scalar(const Tensor& a, Scalar exponent);
Tensor heaviside(const Tensor& a, const Tensor& values);
Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan);

// ---- bitwise.cpp: bool and int64 only ----
Tensor bitwise_and(const Tensor& a, const Tensor& b);
Tensor bitwise_or(const Tensor& a, const Tensor& b);
Tensor bitwise_xor(const Tensor& a, const Tensor& b);
Tensor bitwise_left_shift(const Tensor& a, const Tensor& b);
Tensor bitwise_right_shift(const Tensor& a, const Tensor& b);
Tensor bitwise_not(const Tensor& a);

}  // namespace tg
