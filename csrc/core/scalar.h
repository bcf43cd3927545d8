// A Python number as the user wrote it: a bool, an int (exact in int64) or a float (a
// double). Ints never pass through a double: 2**63 - 1 has no double, and rounding it gives
// 2**63, which wraps to -2**63 in int64. Every op that takes a number takes a Scalar and
// converts it once, to the dtype it computes in.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/dtype.h"
#include "core/error.h"

namespace tg {

class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, Float };

  Scalar() = default;
  Scalar(double v) : kind_(Kind::Float), f_(v) {}  // NOLINT: numbers convert implicitly
  static Scalar from_int(int64_t v) { Scalar s; s.kind_ = Kind::Int; s.i_ = v; return s; }
  static Scalar from_bool(bool v) { Scalar s; s.kind_ = Kind::Bool; s.i_ = v; return s; }

  Kind kind() const { return kind_; }
  bool is_float() const { return kind_ == Kind::Float; }
  bool is_int() const { return kind_ != Kind::Float; }  // bools count as ints (int ** bool stays int)
  bool is_bool() const { return kind_ == Kind::Bool; }
  // The dtype of the 0-d tensor this number becomes (a Python float is a double).
  DType dtype() const { return kind_ == Kind::Bool ? DType::Bool : kind_ == Kind::Int ? DType::Int64 : DType::Float64; }

  double to_double() const { return is_float() ? f_ : (double)i_; }
  int64_t to_int_exact() const { return i_; }  // only for is_int()

  // The value in T for an op that computes in T: exact for ints into int64, one rounding for
  // ints into floats; a float into an integer T only where the caller's promotion made that
  // the result type (never here for an out-of-range value: see checked).
  template <class T> T to() const {
    if constexpr (std::is_same_v<T, bool>) return is_float() ? f_ != 0 : i_ != 0;
    else if constexpr (std::is_integral_v<T>) return is_float() ? saturate(f_) : (T)i_;
    else return is_float() ? (T)f_ : (T)i_;
  }

  // to<T>() for a value stored as is (fill_, full, masked_fill, scatter): PyTorch's
  // "value cannot be converted to type ... without overflow" where T cannot hold it.
  template <class T> T checked() const {
    if constexpr (std::is_same_v<T, int64_t>) {
      TG_CHECK(!is_float() || (std::isfinite(f_) && f_ >= -9223372036854775808.0 && f_ < 9223372036854775808.0),
               Runtime, "value cannot be converted to type int64_t without overflow");
    } else if constexpr (std::is_same_v<T, float>) {
      const double v = to_double();
      TG_CHECK(!std::isfinite(v) || std::fabs(v) <= (double)std::numeric_limits<float>::max(), Runtime,
               "value cannot be converted to type float without overflow");
    }
    return to<T>();
  }

 private:
  // A float out of int64's range is undefined behaviour to cast; saturate (NaN to 0) instead.
  static int64_t saturate(double v) {
    if (std::isnan(v)) return 0;
    if (v >= 9223372036854775808.0) return std::numeric_limits<int64_t>::max();
    if (v < -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
    return (int64_t)v;
  }

  Kind kind_ = Kind::Int;
  int64_t i_ = 0;
  double f_ = 0;
};

}  // namespace tg
