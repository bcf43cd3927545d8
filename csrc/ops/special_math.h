// Scalar special functions the C library lacks: digamma, polygamma and erfinv, in double (the
// float32 ops round the double result). Written from their series and recurrences, no tables.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

namespace tg::special {

// psi(x) = d/dx log Gamma(x). Poles at 0 and the negative integers: -inf at +0, +inf at -0
// and NaN at the others, as PyTorch's. Negative x reflects: psi(x) = psi(1 - x) - pi / tan(pi x).
inline double digamma(double x) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (x == 0) return std::signbit(x) ? inf : -inf;
  if (std::isnan(x) || x == -inf) return std::numeric_limits<double>::quiet_NaN();
  if (x == inf) return inf;
  if (x < 0) {
    if (x == std::floor(x)) return std::numeric_limits<double>::quiet_NaN();
    return digamma(1 - x) - std::numbers::pi / std::tan(std::numbers::pi * x);
  }
  // Shift up with psi(x) = psi(x + 1) - 1/x, then the asymptotic series in 1/x^2.
  double r = 0;
  while (x < 10) r -= 1 / x, x += 1;
  const double z = 1 / (x * x);
  const double tail = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132)))));
  return r + std::log(x) - 0.5 / x - tail;
}

// psi^(n)(x) for n >= 1: (-1)^(n+1) n! sum_k 1/(x+k)^(n+1). The first terms of the sum are
// taken exactly until x >= 20, the rest from the Euler-Maclaurin tail.
inline double polygamma(int64_t n, double x) {
  if (n == 0) return digamma(x);
  constexpr double inf = std::numeric_limits<double>::infinity();
  const double sign = n % 2 ? 1.0 : -1.0;  // (-1)^(n+1)
  if (std::isnan(x)) return x;
  if (x == inf) return n % 2 ? 0.0 : -0.0;
  if (x <= 0 && x == std::floor(x)) return sign * inf;
  const double nf = double(n);
  double fact = 1;  // n!
  for (int64_t k = 2; k <= n; ++k) fact *= double(k);
  double sum = 0;
  while (x < 20) sum += std::pow(x, -(nf + 1)), x += 1;
  // tail: (n-1)!/x^n + n!/(2 x^(n+1)) + sum_k B_2k (2k+n-1)!/((2k)! x^(2k+n))
  constexpr double bernoulli[] = {1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6};
  double tail = fact / nf * std::pow(x, -nf) + fact / 2 * std::pow(x, -(nf + 1));
  double coef = fact / nf;  // (2k + n - 1)! / (2k)!, built up from (n - 1)! / 0!
  for (int k = 1; k <= 7; ++k) {
    coef *= (2.0 * k + nf - 2) * (2.0 * k + nf - 1) / ((2.0 * k - 1) * (2.0 * k));
    tail += bernoulli[k - 1] * coef * std::pow(x, -(2.0 * k + nf));
  }
  return sign * (fact * sum + tail);
}

// erfinv: a closed-form first guess (Winitzki's, within 2e-3), refined by Halley's method on
// erf(y) = x, or on erfc(y) = 1 - |x| near +-1 where erf(y) cannot tell values apart.
inline double erfinv(double x) {
  if (std::isnan(x) || x < -1 || x > 1) return std::numeric_limits<double>::quiet_NaN();
  if (x == 1 || x == -1) return std::copysign(std::numeric_limits<double>::infinity(), x);
  if (x == 0) return x;  // keeps -0
  const double ax = std::fabs(x);
  constexpr double a = 0.147, two_over_pi_a = 2 / (std::numbers::pi * a);
  const double l = std::log1p(-ax * ax);
  const double b = two_over_pi_a + l / 2;
  double y = std::sqrt(std::sqrt(b * b - l / a) - b);
  const double two_over_sqrt_pi = 2 / std::sqrt(std::numbers::pi);
  const bool near_one = ax > 0.5;
  const double target = near_one ? 1 - ax : ax;
  for (int it = 0; it < 4; ++it) {
    const double f = near_one ? target - std::erfc(y) : std::erf(y) - target;  // both increase with y
    const double d = f / (two_over_sqrt_pi * std::exp(-y * y));
    if (!std::isfinite(d)) break;
    y -= d / (1 + y * d);
    if (d == 0) break;
  }
  return std::copysign(y, x);
}

}  // namespace tg::special
