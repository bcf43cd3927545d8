// Unary elementwise ops: each struct holds its Python schema, its scalar function (or the
// kernel it calls), what it saves and its derivative. Ops that only make sense on reals
// (exp, log, sin, ...) compute ints and bools in float32, as PyTorch's do.
#include <cmath>
#include <numbers>

#include "ops/elementwise.h"

namespace tg {

using elementwise::floating_unary;
using elementwise::fused_backward;
using elementwise::map_floating;
using elementwise::OfInput;
using elementwise::OfResult;
using kernels::UnaryOp;

namespace {

constexpr uint8_t kAllVariants = kFunction | kMethod | kInPlace;

}  // namespace

struct Neg {
  static constexpr const char* name = "neg";
  static constexpr const char* node = "NegBackward0";
  static constexpr Schema schema{"neg(Tensor input, *, Tensor? out=None)", kAllVariants};
  struct Saved {};
  static Tensor forward(const Tensor& a) {
    TG_CHECK(a.dtype() != DType::Bool, Runtime,
             "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
             "invert a mask, use the `~` or `logical_not()` operator instead.");
    return kernels::unary(UnaryOp::Neg, a);
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {neg(grad)}; }
};

struct Exp : OfResult<Exp> {
  static constexpr const char* name = "exp";
  static constexpr const char* node = "ExpBackward0";
  static constexpr Schema schema{"exp(Tensor input, *, Tensor? out=None)", kAllVariants};
  static Tensor forward(const Tensor& a) { return floating_unary(UnaryOp::Exp, a); }  // vectorised kernel
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return grad * y; }
};

struct Log : OfInput<Log> {
  static constexpr const char* name = "log";
  static constexpr const char* node = "LogBackward0";
  static constexpr Schema schema{"log(Tensor input, *, Tensor? out=None)", kAllVariants};
  static Tensor forward(const Tensor& a) { return floating_unary(UnaryOp::Log, a); }  // vectorised kernel
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad / x; }
};

struct Sqrt : OfResult<Sqrt> {
  static constexpr const char* name = "sqrt";
  static constexpr const char* node = "SqrtBackward0";
  static constexpr Schema schema{"sqrt(Tensor input, *, Tensor? out=None)", kAllVariants};
  static Tensor forward(const Tensor& a) { return floating_unary(UnaryOp::Sqrt, a); }
  template <class T> static T fused(T g, T y) { return g / (y * T(2)); }
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return grad / (y * 2.0); }
};

struct Tanh : OfResult<Tanh> {
  static constexpr const char* name = "tanh";
  static constexpr const char* node = "TanhBackward0";
  static constexpr Schema schema{"tanh(Tensor input, *, Tensor? out=None)", kAllVariants};
  static Tensor forward(const Tensor& a) { return floating_unary(UnaryOp::Tanh, a); }  // vectorised kernel
  template <class T> static T fused(T g, T y) { return g * (T(1) - y * y); }
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return grad * (1.0 - y * y); }
};

struct Sigmoid : OfResult<Sigmoid> {
  static constexpr const char* name = "sigmoid";
  static constexpr const char* node = "SigmoidBackward0";
  static constexpr Schema schema{"sigmoid(Tensor input, *, Tensor? out=None)", kAllVariants};
  static Tensor forward(const Tensor& a) { return floating_unary(UnaryOp::Sigmoid, a); }  // vectorised kernel
  template <class T> static T fused(T g, T y) { return g * (y * (T(1) - y)); }
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return grad * (y * (1.0 - y)); }
};

struct Reciprocal : OfResult<Reciprocal> {
  static constexpr const char* name = "reciprocal";
  static constexpr const char* node = "ReciprocalBackward0";
  static constexpr Schema schema{"reciprocal(Tensor input, *, Tensor? out=None)", kAllVariants};
  static Tensor forward(const Tensor& a) { return floating_unary(UnaryOp::Reciprocal, a); }
  template <class T> static T fused(T g, T y) { return -g * (y * y); }
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return -grad * (y * y); }
};

struct Relu {
  static constexpr const char* name = "relu";
  static constexpr const char* node = "ReluBackward0";
  static constexpr Schema schema{"relu(Tensor input)", kAllVariants};
  struct Saved {
    SavedTensor out;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a) { return kernels::unary(UnaryOp::Relu, a); }
  static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, true); }
  // y > 0 ? g : 0, not g * mask: a NaN or inf gradient must not leak where x <= 0.
  template <class T> static T fused(T g, T y) { return y > T(0) ? g : T(0); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    // PyTorch's threshold_backward. Under create_graph the passed part is grad * sign(out),
    // which keeps out's history so the gradient stays differentiable (zero second derivative).
    Tensor out = s.out.unpack();
    if (auto fused = fused_backward<Relu>(grad, out)) return {*fused};
    Tensor pass = gt(out, scalar_tensor(0.0)), zero = zeros({}, grad.dtype());
    return {where(pass, GradMode::is_enabled() ? grad * sign(out) : grad, zero)};
  }
};

struct Abs : OfInput<Abs> {
  static constexpr const char* name = "abs";
  static constexpr const char* node = "AbsBackward0";
  static constexpr Schema schema{"abs(Tensor input, *, Tensor? out=None)", kAllVariants};
  static Tensor forward(const Tensor& a) {
    TG_CHECK(a.dtype() != DType::Bool, NotImplemented, "\"abs_cpu\" not implemented for 'Bool'");
    return kernels::unary(UnaryOp::Abs, a);
  }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * sign(x); }
};

struct Sign {
  static constexpr const char* name = "sign";
  static constexpr const char* node = "SignBackward0";
  static constexpr Schema schema{"sign(Tensor input, *, Tensor? out=None)", kAllVariants};
  struct Saved {};
  static Tensor forward(const Tensor& a) {
    return a.dtype() == DType::Bool ? kernels::cast(a, a.dtype()) : kernels::unary(UnaryOp::Sign, a);
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {zeros_like(grad)}; }
};

struct Log1p : OfInput<Log1p> {
  static constexpr const char* name = "log1p";
  static constexpr const char* node = "Log1PBackward0";
  static constexpr Schema schema{"log1p(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::log1p(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Log1p>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * reciprocal(x + 1.0); }
};

struct Expm1 : OfResult<Expm1> {
  static constexpr const char* name = "expm1";
  static constexpr const char* node = "Expm1Backward0";
  static constexpr Schema schema{"expm1(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::expm1(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Expm1>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return grad * (y + 1.0); }
};

struct Log2 : OfInput<Log2> {
  static constexpr const char* name = "log2";
  static constexpr const char* node = "Log2Backward0";
  static constexpr Schema schema{"log2(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::log2(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Log2>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * reciprocal(x * std::log(2.0)); }
};

struct Log10 : OfInput<Log10> {
  static constexpr const char* name = "log10";
  static constexpr const char* node = "Log10Backward0";
  static constexpr Schema schema{"log10(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::log10(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Log10>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad / (x * std::log(10.0)); }
};

// PyTorch's formula reads the result: d/dx 2^x = 2^x ln 2.
struct Exp2 : OfResult<Exp2> {
  static constexpr const char* name = "exp2";
  static constexpr const char* node = "Exp2Backward0";
  static constexpr Schema schema{"exp2(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::exp2(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Exp2>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return grad * (y * std::log(2.0)); }
};

struct Sin : OfInput<Sin> {
  static constexpr const char* name = "sin";
  static constexpr const char* node = "SinBackward0";
  static constexpr Schema schema{"sin(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::sin(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Sin>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * cos(x); }
};

struct Cos : OfInput<Cos> {
  static constexpr const char* name = "cos";
  static constexpr const char* node = "CosBackward0";
  static constexpr Schema schema{"cos(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::cos(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Cos>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) { return grad * -sin(x); }
};

struct Tan : OfResult<Tan> {
  static constexpr const char* name = "tan";
  static constexpr const char* node = "TanBackward0";
  static constexpr Schema schema{"tan(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::tan(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Tan>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return grad * (y * y + 1.0); }
};

struct Rsqrt : OfResult<Rsqrt> {
  static constexpr const char* name = "rsqrt";
  static constexpr const char* node = "RsqrtBackward0";
  static constexpr Schema schema{"rsqrt(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return T(1) / std::sqrt(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Rsqrt>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& y) { return grad * (-0.5 * y * y * y); }
};

// erf's derivative 2/sqrt(pi) exp(-x^2) is written with ops, so it differentiates again.
struct Erf : OfInput<Erf> {
  static constexpr const char* name = "erf";
  static constexpr const char* node = "ErfBackward0";
  static constexpr Schema schema{"erf(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <class T> static T f(T x) { return std::erf(x); }
  static Tensor forward(const Tensor& a) { return map_floating<Erf>(a); }
  static Tensor grad_from(const Tensor& grad, const Tensor& x) {
    return grad * ((2.0 / std::sqrt(std::numbers::pi)) * exp(-(x * x)));
  }
};

Tensor neg(const Tensor& a) { return apply_op<Neg>(a); }
Tensor exp(const Tensor& a) { return apply_op<Exp>(a); }
Tensor log(const Tensor& a) { return apply_op<Log>(a); }
Tensor sqrt(const Tensor& a) { return apply_op<Sqrt>(a); }
Tensor tanh(const Tensor& a) { return apply_op<Tanh>(a); }
Tensor sigmoid(const Tensor& a) { return apply_op<Sigmoid>(a); }
Tensor relu(const Tensor& a) { return apply_op<Relu>(a); }
Tensor abs(const Tensor& a) { return apply_op<Abs>(a); }
Tensor sign(const Tensor& a) { return apply_op<Sign>(a); }
Tensor reciprocal(const Tensor& a) { return apply_op<Reciprocal>(a); }
Tensor log1p(const Tensor& a) { return apply_op<Log1p>(a); }
Tensor expm1(const Tensor& a) { return apply_op<Expm1>(a); }
Tensor log2(const Tensor& a) { return apply_op<Log2>(a); }
Tensor sin(const Tensor& a) { return apply_op<Sin>(a); }
Tensor log10(const Tensor& a) { return apply_op<Log10>(a); }
Tensor exp2(const Tensor& a) { return apply_op<Exp2>(a); }
Tensor cos(const Tensor& a) { return apply_op<Cos>(a); }
Tensor tan(const Tensor& a) { return apply_op<Tan>(a); }
Tensor rsqrt(const Tensor& a) { return apply_op<Rsqrt>(a); }
// PyTorch's square is pow(x, 2), node PowBackward0.
Tensor square(const Tensor& a) { return pow(a, Scalar::from_int(2)); }

// Truth values and float classes: bool results, never differentiable.
Tensor logical_not(const Tensor& a) { return kernels::unary(UnaryOp::LogicalNot, a); }
Tensor isnan(const Tensor& a) { return kernels::unary(UnaryOp::IsNan, a); }
Tensor isinf(const Tensor& a) { return kernels::unary(UnaryOp::IsInf, a); }
Tensor isfinite(const Tensor& a) { return kernels::unary(UnaryOp::IsFinite, a); }

void register_unary_ops(std::vector<OpInfo>& ops) {
  register_ops<Neg, Exp, Log, Sqrt, Tanh, Sigmoid, Relu, Abs, Sign, Reciprocal, Log1p, Expm1, Log2, Sin,
               Cos, Tan, Rsqrt, Erf, Log10, Exp2>(ops);
  register_functions(ops, {
      {{"negative(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&neg>},  // PyTorch's alias
      {{"square(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&square>},
      {{"logical_not(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&logical_not>},
      {{"isnan(Tensor input)", kFunction | kMethod}, invoke_fn<&isnan>},
      {{"isinf(Tensor input)", kFunction | kMethod}, invoke_fn<&isinf>},
      {{"isfinite(Tensor input)", kFunction | kMethod}, invoke_fn<&isfinite>},
  });
}

}  // namespace tg
