// Trigonometric and hyperbolic functions, their inverses, and the angle conversions: ints and
// bools compute in float32, as PyTorch's do. Each derivative is written with tapegrad's ops
// (PyTorch's formulas), so it differentiates again.
#include <cmath>
#include <numbers>

#include "ops/elementwise.h"

namespace tg {

using elementwise::map_floating;
using elementwise::OfInput;

namespace {
constexpr uint8_t kAllVariants = kFunction | kMethod | kInPlace;
}  // namespace

struct Sinh : OfInput<Sinh> {
  static constexpr const char* name = "sinh";
  static constexpr const char* node = "SinhBackward0";
  static constexpr Schema schema{"sinh(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::sinh(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Sinh>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * cosh(x); }
};

struct Cosh : OfInput<Cosh> {
  static constexpr const char* name = "cosh";
  static constexpr const char* node = "CoshBackward0";
  static constexpr Schema schema{"cosh(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::cosh(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Cosh>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * sinh(x); }
};

// d/dx asin x = 1 / sqrt(1 - x^2)
struct Asin : OfInput<Asin> {
  static constexpr const char* name = "asin";
  static constexpr const char* node = "AsinBackward0";
  static constexpr Schema schema{"asin(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::asin(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Asin>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * rsqrt(1.0 - x * x); }
};

struct Acos : OfInput<Acos> {
  static constexpr const char* name = "acos";
  static constexpr const char* node = "AcosBackward0";
  static constexpr Schema schema{"acos(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::acos(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Acos>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return -grad * rsqrt(1.0 - x * x); }
};

struct Atan : OfInput<Atan> {
  static constexpr const char* name = "atan";
  static constexpr const char* node = "AtanBackward0";
  static constexpr Schema schema{"atan(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::atan(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Atan>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad / (x * x + 1.0); }
};

struct Asinh : OfInput<Asinh> {
  static constexpr const char* name = "asinh";
  static constexpr const char* node = "AsinhBackward0";
  static constexpr Schema schema{"asinh(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::asinh(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Asinh>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * rsqrt(x * x + 1.0); }
};

struct Acosh : OfInput<Acosh> {
  static constexpr const char* name = "acosh";
  static constexpr const char* node = "AcoshBackward0";
  static constexpr Schema schema{"acosh(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::acosh(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Acosh>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * rsqrt(x * x - 1.0); }
};

struct Atanh : OfInput<Atanh> {
  static constexpr const char* name = "atanh";
  static constexpr const char* node = "AtanhBackward0";
  static constexpr Schema schema{"atanh(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::atanh(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Atanh>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad / (1.0 - x * x); }
};

// The angle conversions scale by a constant (so save nothing); PyTorch computes them in the
// floating result dtype, with the constant rounded to it.
template <bool ToRadians>
struct AngleConversion {
  static constexpr const char* name = ToRadians ? "deg2rad" : "rad2deg";
  static constexpr const char* node = ToRadians ? "Deg2RadBackward0" : "Rad2DegBackward0";
  static constexpr Schema schema{ToRadians ? "deg2rad(Tensor input, *, Tensor? out=None)"
                                           : "rad2deg(Tensor input, *, Tensor? out=None)",
                                 kAllVariants};
  static constexpr double kScale = ToRadians ? std::numbers::pi / 180.0 : 180.0 / std::numbers::pi;
  struct Saved {};
  template <class T> static T f(T x) { return x * T(kScale); }
  static Tensor forward(const Tensor& a) { return map_floating<AngleConversion>(a); }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {grad * kScale}; }
};

Tensor sinh(const Tensor& a) { return apply_op<Sinh>(a); }
Tensor cosh(const Tensor& a) { return apply_op<Cosh>(a); }
Tensor asin(const Tensor& a) { return apply_op<Asin>(a); }
Tensor acos(const Tensor& a) { return apply_op<Acos>(a); }
Tensor atan(const Tensor& a) { return apply_op<Atan>(a); }
Tensor asinh(const Tensor& a) { return apply_op<Asinh>(a); }
Tensor acosh(const Tensor& a) { return apply_op<Acosh>(a); }
Tensor atanh(const Tensor& a) { return apply_op<Atanh>(a); }
Tensor deg2rad(const Tensor& a) { return apply_op<AngleConversion<true>>(a); }
Tensor rad2deg(const Tensor& a) { return apply_op<AngleConversion<false>>(a); }

void register_unary_trig_ops(std::vector<OpInfo>& ops) {
  register_ops<Sinh, Cosh, Asin, Acos, Atan, Asinh, Acosh, Atanh, AngleConversion<true>, AngleConversion<false>>(ops);
  // PyTorch's NumPy-style aliases: the same ops under other names.
  register_functions(ops, {
      {{"arcsin(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&asin>},
      {{"arccos(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&acos>},
      {{"arctan(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&atan>},
      {{"arcsinh(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&asinh>},
      {{"arccosh(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&acosh>},
      {{"arctanh(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&atanh>},
  });
}

}  // namespace tg
