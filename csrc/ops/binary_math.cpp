// Two-operand functions of issue 16: copysign, fmod, xlogy, heaviside, logaddexp2, float_power,
// logical_xor and isclose. Each struct holds its schema, its scalar function, what it saves and
// its derivative (tapegrad ops, so it differentiates again). A Number operand overload shares
// its Tensor twin's forward (the parser hands the number over as a wrapped 0-d tensor) and
// differs in PyTorch's node name only, as remainder's does.
#include <cmath>
#include <numbers>

#include "graph/missing_derivative.h"
#include "ops/elementwise.h"

namespace tg {

using elementwise::cast_to;
using elementwise::check_floating;
using elementwise::floating_result;
using elementwise::zip_floating;
using elementwise::zip_in;

namespace {
constexpr uint8_t kAllVariants = kFunction | kMethod | kInPlace;
}  // namespace

// copysign(x, y): |x| with y's sign bit (so -0.0 counts as negative); always floating. The
// gradient reaches x only: copysign(x, y) / x, 0 where x is 0.
struct Copysign {
  static constexpr const char* name = "copysign";
  static constexpr const char* node = "CopysignBackward0";
  static constexpr Schema schema{"copysign(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor self, out;
    auto tensors() { return std::tie(self, out); }
  };
  template <class T> static T f(T x, T y) { return std::copysign(x, y); }
  static Tensor forward(const Tensor& a, const Tensor& b) { return zip_floating<Copysign>(a, b); }
  static void save(Saved& s, const Tensor& a, const Tensor&, const Tensor& out) {
    s.self = a, s.out = SavedTensor(out, /*is_output=*/true);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor ga, gb;
    if (needs[0]) {
      const Tensor x = s.self.unpack(), ratio = s.out.unpack() / x;
      ga = grad * where(eq(x, scalar_tensor(0.0)), zeros({}, ratio.dtype()), ratio);
    }
    if (needs[1]) gb = zeros_like(grad);
    return {ga, gb};
  }
};
struct CopysignScalar : Copysign {
  static constexpr const char* name = "copysign_scalar";
  static constexpr const char* node = "CopysignBackward1";
  static constexpr Schema schema{"copysign(Tensor input, Number other, *, Tensor? out=None)", kAllVariants};
};

// fmod(x, y): C's remainder, with the dividend's sign (remainder() takes the divisor's). Ints
// stay ints (division by zero raises, as PyTorch's); bools are refused. d/dy = -trunc(x / y).
struct Fmod {
  static constexpr const char* name = "fmod";
  static constexpr const char* node = "FmodBackward1";
  static constexpr Schema schema{"fmod(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  template <class T> static T f(T x, T y) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fmod(x, y);
    } else {
      TG_CHECK(y != 0, Runtime, "ZeroDivisionError");
      return y == -1 ? T(0) : T(x % y);  // INT64_MIN % -1 traps in C++
    }
  }
  static Tensor forward(const Tensor& a, const Tensor& b) {
    const DType d = result_type(a, b);
    TG_CHECK(d != DType::Bool, NotImplemented, "\"fmod_cpu\" not implemented for 'Bool'");
    return zip_in<Fmod>(a, b, d);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) {
    if (b.requires_grad()) s.a = a, s.b = b;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor gb;
    if (needs[1]) {
      Tensor q;
      {
        NoGradGuard constant;  // trunc(a / b) is flat almost everywhere
        q = trunc(s.a.unpack() / s.b.unpack());
      }
      gb = -grad * q;
    }
    return {needs[0] ? grad : Tensor(), gb};
  }
};
struct FmodScalar : Fmod {
  static constexpr const char* name = "fmod_scalar";
  static constexpr const char* node = "FmodBackward0";
  static constexpr Schema schema{"fmod(Tensor input, Number other, *, Tensor? out=None)", kAllVariants};
};

// xlogy(x, y) = x * log(y), 0 where x is 0 (even for y = 0), NaN where y is NaN.
struct Xlogy {
  static constexpr const char* name = "xlogy";
  static constexpr const char* node = "XlogyBackward0";
  static constexpr Schema schema{"xlogy(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  template <class T> static T f(T x, T y) {
    if (std::isnan(y)) return y;
    if (x == 0) return T(0);
    return x * std::log(y);
  }
  static Tensor forward(const Tensor& a, const Tensor& b) { return zip_floating<Xlogy>(a, b); }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) { s.a = a, s.b = b; }
  // d/dx = log(y) where x != 0 (xlogy of the mask keeps the 0 at x = 0); d/dy = x / y.
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor a = s.a.unpack(), b = s.b.unpack();
    // The mask in the gradient's dtype: a bool mask and a wrapped-number y would compute in float32.
    const Tensor nonzero = to_dtype(ne(a, scalar_tensor(0.0)), grad.dtype());
    return {needs[0] ? grad * xlogy(nonzero, b) : Tensor(), needs[1] ? grad * a / b : Tensor()};
  }
};
struct XlogyScalarSelf : Xlogy {
  static constexpr const char* name = "xlogy_scalar_self";
  static constexpr const char* node = "XlogyBackward1";
  static constexpr Schema schema{"xlogy(Number self, Tensor other, *, Tensor? out=None)", kFunction};
};
struct XlogyScalarOther : Xlogy {
  static constexpr const char* name = "xlogy_scalar_other";
  static constexpr const char* node = "XlogyBackward2";
  static constexpr Schema schema{"xlogy(Tensor input, Number other, *, Tensor? out=None)", kAllVariants};
};
Tensor xlogy(const Tensor& a, const Tensor& b) { return apply_op<Xlogy>(a, b); }

// logaddexp2(x, y) = log2(2^x + 2^y): max + log2(1 + 2^-|x - y|), no overflow; equal
// infinities give themselves. Floats only, as PyTorch's. d/dx = sigmoid((x - y) ln 2).
struct Logaddexp2 {
  static constexpr const char* name = "logaddexp2";
  static constexpr const char* node = "Logaddexp2Backward0";
  static constexpr Schema schema{"logaddexp2(Tensor input, Tensor other, *, Tensor? out=None)", kFunction | kMethod};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  template <class T> static T f(T x, T y) {
    if (std::isinf(x) && x == y) return x;
    const T m = x > y ? x : y;
    return m + std::log1p(std::exp2(-std::abs(x - y))) / T(std::numbers::ln2);
  }
  static Tensor forward(const Tensor& a, const Tensor& b) {
    check_floating(result_type(a, b), "logaddexp2_cpu");
    return zip_floating<Logaddexp2>(a, b);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) { s.a = a, s.b = b; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor d = (s.a.unpack() - s.b.unpack()) * std::numbers::ln2;
    return {needs[0] ? grad * sigmoid(d) : Tensor(), needs[1] ? grad * sigmoid(-d) : Tensor()};
  }
};

// heaviside(x, values): 0 below zero, 1 above, `values` at zero; operands of one dtype only.
// PyTorch has no derivative: a backward that reaches it raises.
struct HeavisideFn {
  template <class T> static T f(T x, T v) { return x == T(0) ? v : T(x > T(0)); }
};
Tensor heaviside(const Tensor& a, const Tensor& values) {
  TG_CHECK(a.dtype() == values.dtype(), Runtime, "heaviside is not yet implemented for tensors with different dtypes.");
  Tensor out = zip_in<HeavisideFn>(a, values, a.dtype());
  if (GradMode::is_enabled()) for (const Tensor& t : {a, values}) refresh_view_history(t, /*strict=*/true);
  if (!GradMode::is_enabled() || !is_floating(out.dtype()) || !(a.requires_grad() || values.requires_grad())) return out;
  TensorList sources;
  for (const Tensor& t : {a, values})
    if (t.requires_grad()) sources.push_back(t);
  return with_missing_derivative(out, "aten::heaviside", sources);
}

// float_power: pow computed in float64 (PyTorch's composite: the operands cast, then pow, so
// the node names are pow's). In place (float_power_, bindings/bind_math.cpp) self must already
// be float64, which PyTorch words its own way.
Tensor float_power(const Tensor& a, const Tensor& b) { return pow(to_dtype(a, DType::Float64), to_dtype(b, DType::Float64)); }
Tensor float_power_scalar(const Tensor& a, Scalar e) { return pow(to_dtype(a, DType::Float64), Scalar{e.to_double()}); }
Tensor float_power_base(Scalar base, const Tensor& e) { return pow(Scalar{base.to_double()}, to_dtype(e, DType::Float64)); }

// logical_xor: bool result of any two dtypes, never differentiable.
struct LogicalXorFn {
  template <class T> static bool f(T x, T y) { return (x != T(0)) != (y != T(0)); }
};
Tensor logical_xor(const Tensor& a, const Tensor& b) { return zip_in<LogicalXorFn, true>(a, b, result_type(a, b)); }

// isclose: |x - y| <= atol + rtol |y| where finite, equal values (infinities too) always, and
// NaN with NaN when equal_nan. One dtype only, as PyTorch's; ints and bools compare in float32
// (their difference taken exactly first).
Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  TG_CHECK(a.dtype() == b.dtype(), Runtime, dtype_legacy_name(a.dtype()), " did not match ", dtype_legacy_name(b.dtype()));
  TG_CHECK(rtol >= 0, Runtime, "rtol must be greater than or equal to zero, but got ", rtol);
  TG_CHECK(atol >= 0, Runtime, "atol must be greater than or equal to zero, but got ", atol);
  const Tensor& x = a;
  const Tensor& y = b;
  Tensor out = Tensor::empty(broadcast_shapes(x.sizes(), y.sizes()), DType::Bool);
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = std::conditional_t<std::is_floating_point_v<T>, T, float>;
    kernels::binary_loop<T, bool>(out, x, y, [=](T u, T v) {
      if (u == v) return true;
      const C p = C(u), q = C(v);
      if (std::isnan(p) || std::isnan(q)) return equal_nan && std::isnan(p) && std::isnan(q);
      const C diff = std::is_floating_point_v<T> ? std::abs(p - q) : C(u > v ? u - v : v - u);
      return std::isfinite(diff) && diff <= C(atol) + std::abs(C(rtol) * q);
    });
  });
  return out;
}

Tensor copysign(const Tensor& a, const Tensor& b) {
  return b.is_wrapped_number() ? apply_op<CopysignScalar>(a, b) : apply_op<Copysign>(a, b);
}
Tensor fmod(const Tensor& a, const Tensor& b) {
  return b.is_wrapped_number() ? apply_op<FmodScalar>(a, b) : apply_op<Fmod>(a, b);
}

void register_binary_math_ops(std::vector<OpInfo>& ops) {
  register_ops<Copysign, CopysignScalar, Fmod, FmodScalar, Xlogy, XlogyScalarSelf, XlogyScalarOther, Logaddexp2>(ops);
  register_functions(ops, {
      {{"heaviside(Tensor input, Tensor values, *, Tensor? out=None)", kAllVariants}, invoke_fn<&heaviside>},
      {{"float_power(Tensor input, Tensor exponent, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&float_power>},
      {{"float_power(Number self, Tensor exponent, *, Tensor? out=None)", kFunction}, invoke_fn<&float_power_base>},
      {{"float_power(Tensor input, Number exponent, *, Tensor? out=None)", kFunction | kMethod},
       invoke_fn<&float_power_scalar>},
      {{"logical_xor(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants}, invoke_fn<&logical_xor>},
      {{"isclose(Tensor input, Tensor other, float rtol=1e-05, float atol=1e-08, bool equal_nan=False)",
        kFunction | kMethod},
       invoke_fn<&isclose>},
  });
}

}  // namespace tg
