// Binary elementwise ops: arithmetic, powers, floor division and remainder, maximum/minimum,
// the two-argument functions (atan2, hypot, logaddexp), comparisons and logical and/or. Each
// struct holds its Python schema, its forward, what it saves and its derivative.
#include <cmath>

#include "graph/missing_derivative.h"
#include "ops/elementwise.h"

namespace tg {

using elementwise::binary_in;
using elementwise::check_floating;
using elementwise::cast_to;
using elementwise::floating_result;
using elementwise::fused_backward;
using elementwise::zip_floating;
using kernels::BinaryOp;
using kernels::UnaryOp;

namespace {
constexpr uint8_t kAllVariants = kFunction | kMethod | kInPlace;
}  // namespace

// ---------------------------------------------------------------------------------------------
// Arithmetic and powers.

struct Add {
  static constexpr const char* name = "add";
  static constexpr const char* node = "AddBackward0";
  struct Saved {};
  static Tensor forward(const Tensor& a, const Tensor& b) {
    return binary_in(BinaryOp::Add, a, b, result_type(a, b));
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs needs) {
    return {needs[0] ? grad : Tensor(), needs[1] ? grad : Tensor()};
  }
};

struct Sub {
  static constexpr const char* name = "sub";
  static constexpr const char* node = "SubBackward0";
  struct Saved {};
  static Tensor forward(const Tensor& a, const Tensor& b) {
    TG_CHECK(a.dtype() != DType::Bool || b.dtype() != DType::Bool, Runtime,
             "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
             "`logical_xor()` operator instead.");
    TG_CHECK(a.dtype() != DType::Bool && b.dtype() != DType::Bool, Runtime,
             "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
             "invert a mask, use the `~` or `logical_not()` operator instead.");
    return binary_in(BinaryOp::Sub, a, b, result_type(a, b));
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs needs) {
    return {needs[0] ? grad : Tensor(), needs[1] ? neg(grad) : Tensor()};
  }
};

// `number - tensor`: PyTorch records it as rsub(tensor, number).
struct Rsub {
  static constexpr const char* name = "rsub";
  static constexpr const char* node = "RsubBackward1";
  struct Saved {};
  static Tensor forward(const Tensor& a, const Tensor& b) { return Sub::forward(b, a); }
  static TensorList backward(Saved&, const Tensor& grad, Needs needs) {
    return {needs[0] ? neg(grad) : Tensor(), needs[1] ? grad : Tensor()};
  }
};

struct Mul {
  static constexpr const char* name = "mul";
  static constexpr const char* node = "MulBackward0";
  static constexpr Schema schema{"mul(Tensor input, Tensor|Number other, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    return binary_in(BinaryOp::Mul, a, b, result_type(a, b));
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) {
    if (b.requires_grad()) s.a = a;
    if (a.requires_grad()) s.b = b;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? grad * s.b.unpack() : Tensor(), needs[1] ? grad * s.a.unpack() : Tensor()};
  }
};

struct Div {
  static constexpr const char* name = "div";
  static constexpr const char* node = "DivBackward0";
  static constexpr Schema schema{"div(Tensor input, Tensor|Number other, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    return binary_in(BinaryOp::Div, a, b, floating_result(result_type(a, b)));
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) {
    if (b.requires_grad()) s.a = a;
    s.b = b;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor b = s.b.unpack();
    return {needs[0] ? grad / b : Tensor(), needs[1] ? -grad * (s.a.unpack() / b / b) : Tensor()};
  }
};

// tensor ** number
struct PowScalar {
  static constexpr const char* name = "pow_scalar";
  static constexpr const char* node = "PowBackward0";
  static constexpr Schema schema{"pow(Tensor input, Number exponent, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor self;
    double exponent = 0;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, Scalar exponent) {
    Tensor e = scalar_tensor(exponent);
    DType d = result_type(a, e);
    TG_CHECK(is_floating(d) || exponent.to_double() >= 0, Runtime, "Integers to negative integer powers are not allowed.");
    // bool ** bool: x ** True is x, x ** False is all True (PyTorch's shortcuts; no bool kernel).
    if (d == DType::Bool) return exponent.to<bool>() ? kernels::contiguous_copy(a) : kernels::full(a.sizes(), true, d);
    if (is_floating(d)) {
      // x ** 0.5 and x ** -0.5 are sqrt and rsqrt, as in PyTorch: (-inf) ** 0.5 is NaN, (-0.) ** 0.5 is -0.
      const double v = exponent.to_double();
      if (v == 0.5 || v == -0.5) return kernels::unary(v > 0 ? UnaryOp::Sqrt : UnaryOp::Rsqrt, cast_to(a, d));
      // An int exponent float32 cannot hold (2**53 - 1 would round to an even 2**53): in double.
      if (d == DType::Float32 && exponent.is_int() && std::fabs(v) > 16777216.0)
        return kernels::cast(binary_in(BinaryOp::Pow, a, scalar_tensor(v), DType::Float64), d);
    }
    return binary_in(BinaryOp::Pow, a, e, d);
  }
  static void save(Saved& s, const Tensor& a, Scalar exponent, const Tensor&) {
    s.self = a;
    s.exponent = exponent.to_double();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    if (s.exponent == 0.0) return {zeros_like(grad)};
    Tensor x = s.self.unpack();
    // Fused: grad * e * x^(e - 1) in one pass (x ** 2, the common case, without pow()).
    const double e = s.exponent;
    auto fused = e == 2.0 ? fused_backward(grad, x, [](auto g, auto v) { return g * (decltype(v)(2) * v); })
                          : fused_backward(grad, x, [e](auto g, auto v) {
                              using T = decltype(v);
                              return g * (T(e) * std::pow(v, T(e - 1)));
                            }, parallel::kGrainCostly);
    if (fused) return {*fused};
    return {grad * (s.exponent * pow(x, s.exponent - 1))};
  }
};

// tensor ** tensor
struct PowTensor {
  static constexpr const char* name = "pow";
  static constexpr const char* node = "PowBackward1";
  static constexpr Schema schema{"pow(Tensor input, Tensor exponent, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor a, b, out;
    auto tensors() { return std::tie(a, b, out); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    const DType d = result_type(a, b);
    TG_CHECK(d != DType::Bool, NotImplemented, "\"pow\" not implemented for 'Bool'");
    return binary_in(BinaryOp::Pow, a, b, d);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor& out) {
    s.a = a;
    s.b = b;
    if (b.requires_grad()) s.out = SavedTensor(out, /*is_output=*/true);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor a = s.a.unpack(), b = s.b.unpack();
    Tensor ga, gb;
    if (needs[0]) ga = grad * (b * pow(a, b - 1.0));
    if (needs[1]) {
      // d/db a**b = a**b log a, defined as 0 where a == 0 and b >= 0 (the limit).
      Tensor at_zero = mul(eq(a, scalar_tensor(0.0)), ge(b, scalar_tensor(0.0)));
      gb = grad * where(at_zero, zeros_like(a), s.out.unpack() * log(a));
    }
    return {ga, gb};
  }
};

// number ** tensor
struct PowScalarBase {
  static constexpr const char* name = "pow_scalar_base";
  static constexpr const char* node = "PowBackward2";
  static constexpr Schema schema{"pow(Number self, Tensor exponent, *, Tensor? out=None)", kFunction};
  struct Saved {
    SavedTensor exponent, out;
    double base = 0;
    auto tensors() { return std::tie(exponent, out); }
  };
  static Tensor forward(Scalar base, const Tensor& exponent) {
    Tensor b = scalar_tensor(base);
    const DType d = result_type(b, exponent);
    TG_CHECK(d != DType::Bool, NotImplemented, "\"pow\" not implemented for 'Bool'");
    return binary_in(BinaryOp::Pow, b, exponent, d);
  }
  static void save(Saved& s, Scalar base, const Tensor& exponent, const Tensor& out) {
    s.base = base.to_double();
    s.exponent = exponent;
    s.out = SavedTensor(out, /*is_output=*/true);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    if (s.base == 0.0) {
      Tensor e = s.exponent.unpack();
      return {grad * where(ge(e, scalar_tensor(0.0)), zeros_like(e), s.out.unpack() * std::log(s.base))};
    }
    return {grad * (s.out.unpack() * std::log(s.base))};
  }
};

Tensor add(const Tensor& a, const Tensor& b) { return apply_op<Add>(a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return apply_op<Sub>(a, b); }
Tensor rsub(const Tensor& a, const Tensor& b) { return apply_op<Rsub>(a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return apply_op<Mul>(a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return apply_op<Div>(a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return apply_op<PowTensor>(a, b); }
Tensor pow(const Tensor& a, Scalar exponent) { return apply_op<PowScalar>(a, exponent); }
Tensor pow(Scalar base, const Tensor& exponent) { return apply_op<PowScalarBase>(base, exponent); }


// add/sub with PyTorch's alpha: other is scaled first, in the result dtype, as PyTorch's kernel
// computes it (int * int stays exact, a bool result scales by bool(alpha)); a number operand
// stays a wrapped number. Optimisers call p.add_(g, alpha=-lr).
namespace {
Tensor scaled_by_alpha(const Tensor& a, const Tensor& b, Scalar alpha) {
  if (alpha.is_int() && !alpha.is_bool() && alpha.to_int_exact() == 1) return b;
  const DType d = result_type(a, b);
  TG_CHECK(!(alpha.is_float() && !is_floating(d)), Runtime,
           "For integral input tensors, argument alpha must not be a floating point number.");
  TG_CHECK(!(alpha.is_bool() && d != DType::Bool), Runtime, "Boolean alpha only supported for Boolean results.");
  // to_dtype keeps b's history; full() gives PyTorch's overflow error for an alpha d cannot hold.
  Tensor scaled = mul(to_dtype(b, d), kernels::full({}, alpha, d));
  if (b.is_wrapped_number()) scaled.impl()->wrapped_number = true;
  return scaled;
}
Tensor add_alpha(const Tensor& a, const Tensor& b, Scalar alpha) { return add(a, scaled_by_alpha(a, b, alpha)); }
Tensor sub_alpha(const Tensor& a, const Tensor& b, Scalar alpha) { return sub(a, scaled_by_alpha(a, b, alpha)); }
}  // namespace

// ---------------------------------------------------------------------------------------------
// Floor division, remainder, maximum and minimum.

// x // y and x % y. PyTorch does not differentiate floor division: the result still records
// history, through a node that raises if a backward reaches it (never a silent zero). The
// remainder gradient is 1 for x and -floor(x / y) for y.
Tensor floor_divide(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dtype() != DType::Bool || b.dtype() != DType::Bool, NotImplemented,
           "\"div_floor_cpu\" not implemented for 'Bool'");
  DType d = result_type(a, b);
  Tensor out = binary_in(BinaryOp::FloorDiv, a, b, d == DType::Bool ? DType::Int64 : d);
  if (GradMode::is_enabled()) for (const Tensor& t : {a, b}) refresh_view_history(t, /*strict=*/true);
  if (!GradMode::is_enabled() || !is_floating(out.dtype()) || !(a.requires_grad() || b.requires_grad())) return out;
  TensorList sources;
  for (const Tensor& t : {a, b})
    if (t.requires_grad()) sources.push_back(t);
  return with_missing_derivative(out, "aten::floor_divide", sources);
}

struct Remainder {
  static constexpr const char* name = "remainder";
  static constexpr const char* node = "RemainderBackward1";
  static constexpr Schema schema{"remainder(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    TG_CHECK(a.dtype() != DType::Bool || b.dtype() != DType::Bool, NotImplemented,
             "\"remainder_cpu\" not implemented for 'Bool'");
    return binary_in(BinaryOp::Remainder, a, b, result_type(a, b));
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) {
    if (b.requires_grad()) s.a = a, s.b = b;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor gb;
    if (needs[1]) {
      Tensor q;
      {
        NoGradGuard constant;  // floor(a / b) has zero derivative almost everywhere
        q = floor_divide(s.a.unpack(), s.b.unpack());
      }
      gb = -grad * q;
    }
    return {needs[0] ? grad : Tensor(), gb};
  }
};
// `x % 2`: PyTorch's Scalar overload, another node name.
struct RemainderScalar : Remainder {
  static constexpr const char* name = "remainder_scalar";
  static constexpr const char* node = "RemainderBackward0";
  static constexpr Schema schema{"remainder(Tensor input, Number other, *, Tensor? out=None)", kAllVariants};
};
Tensor remainder(const Tensor& a, const Tensor& b) {
  return b.is_wrapped_number() ? apply_op<RemainderScalar>(a, b) : apply_op<Remainder>(a, b);
}

// maximum/minimum: NaN propagates; on ties each side gets half the gradient (PyTorch's rule).
template <bool IsMax>
struct Extremum {
  static constexpr const char* name = IsMax ? "maximum" : "minimum";
  static constexpr const char* node = IsMax ? "MaximumBackward0" : "MinimumBackward0";
  static constexpr Schema schema{IsMax ? "maximum(Tensor input, Tensor other, *, Tensor? out=None)"
                                       : "minimum(Tensor input, Tensor other, *, Tensor? out=None)",
                                 kFunction | kMethod};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    return binary_in(IsMax ? BinaryOp::Maximum : BinaryOp::Minimum, a, b, result_type(a, b));
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) { s.a = a, s.b = b; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor a = s.a.unpack(), b = s.b.unpack();
    Tensor half = grad * 0.5, zero = zeros_like(grad);
    // The side that lost gets nothing; a NaN on either side wins for that side.
    Tensor a_lost = IsMax ? lt(a, b) : gt(a, b), b_lost = IsMax ? gt(a, b) : lt(a, b);
    Tensor tie = eq(a, b);
    return {needs[0] ? where(tie, half, where(a_lost, zero, grad)) : Tensor(),
            needs[1] ? where(tie, half, where(b_lost, zero, grad)) : Tensor()};
  }
};
Tensor maximum(const Tensor& a, const Tensor& b) { return apply_op<Extremum<true>>(a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return apply_op<Extremum<false>>(a, b); }


// ---------------------------------------------------------------------------------------------
// Two-argument functions of reals: ints compute in float32 (atan2) or are refused (hypot,
// logaddexp), as in PyTorch.

struct Atan2 {
  static constexpr const char* name = "atan2";
  static constexpr const char* node = "Atan2Backward0";
  static constexpr Schema schema{"atan2(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  template <class T> static T f(T y, T x) { return std::atan2(y, x); }
  static Tensor forward(const Tensor& a, const Tensor& b) { return zip_floating<Atan2>(a, b); }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) { s.a = a, s.b = b; }
  // d/da atan2(a, b) = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor a = s.a.unpack(), b = s.b.unpack();
    const Tensor g = grad / (a * a + b * b);
    return {needs[0] ? g * b : Tensor(), needs[1] ? -g * a : Tensor()};
  }
};

struct Hypot {
  static constexpr const char* name = "hypot";
  static constexpr const char* node = "HypotBackward0";
  static constexpr Schema schema{"hypot(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants};
  struct Saved {
    SavedTensor a, b, out;
    auto tensors() { return std::tie(a, b, out); }
  };
  template <class T> static T f(T x, T y) { return std::hypot(x, y); }
  static Tensor forward(const Tensor& a, const Tensor& b) {
    check_floating(result_type(a, b), "hypot_cpu");
    return zip_floating<Hypot>(a, b);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor& out) {
    s.a = a, s.b = b, s.out = SavedTensor(out, /*is_output=*/true);
  }
  // d/da sqrt(a^2 + b^2) = a / out
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor g = grad / s.out.unpack();
    return {needs[0] ? g * s.a.unpack() : Tensor(), needs[1] ? g * s.b.unpack() : Tensor()};
  }
};

struct Logaddexp {
  static constexpr const char* name = "logaddexp";
  static constexpr const char* node = "LogaddexpBackward0";
  static constexpr Schema schema{"logaddexp(Tensor input, Tensor other, *, Tensor? out=None)", kFunction | kMethod};
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  // max + log1p(exp(-|x - y|)): no overflow; equal infinities give themselves, not NaN.
  template <class T> static T f(T x, T y) {
    if (std::isinf(x) && x == y) return x;
    const T m = x > y ? x : y;
    return m + std::log1p(std::exp(-std::abs(x - y)));
  }
  static Tensor forward(const Tensor& a, const Tensor& b) {
    check_floating(result_type(a, b), "logaddexp_cpu");
    return zip_floating<Logaddexp>(a, b);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor&) { s.a = a, s.b = b; }
  // d/da log(e^a + e^b) = sigmoid(a - b)
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor a = s.a.unpack(), b = s.b.unpack();
    return {needs[0] ? grad * sigmoid(a - b) : Tensor(), needs[1] ? grad * sigmoid(b - a) : Tensor()};
  }
};

// ---------------------------------------------------------------------------------------------
// Comparisons and logical and/or: bool results, no history.

namespace {
Tensor compare(BinaryOp op, const Tensor& a, const Tensor& b) { return binary_in(op, a, b, result_type(a, b)); }
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Ge, a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return compare(BinaryOp::LogicalAnd, a, b); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return compare(BinaryOp::LogicalOr, a, b); }

void register_binary_ops(std::vector<OpInfo>& ops) {
  register_ops<Add, Sub, Rsub, Mul, Div, PowTensor, PowScalar, PowScalarBase, Remainder, RemainderScalar,
               Extremum<true>, Extremum<false>, Atan2, Hypot, Logaddexp>(ops);
  register_functions(ops, {
      {{"add(Tensor input, Tensor|Number other, *, Number alpha=1, Tensor? out=None)", kAllVariants},
       invoke_fn<&add_alpha>},
      {{"sub(Tensor input, Tensor|Number other, *, Number alpha=1, Tensor? out=None)", kAllVariants},
       invoke_fn<&sub_alpha>},
      {{"subtract(Tensor input, Tensor|Number other, *, Number alpha=1, Tensor? out=None)", kAllVariants},
       invoke_fn<&sub_alpha>},
      {{"multiply(Tensor input, Tensor|Number other, *, Tensor? out=None)", kAllVariants}, invoke_fn<&mul>},
      {{"divide(Tensor input, Tensor|Number other, *, Tensor? out=None)", kAllVariants}, invoke_fn<&div>},
      {{"true_divide(Tensor input, Tensor|Number other, *, Tensor? out=None)", kAllVariants}, invoke_fn<&div>},
      {{"floor_divide(Tensor input, Tensor|Number other, *, Tensor? out=None)", kAllVariants},
       invoke_fn<&floor_divide>},
      {{"eq(Tensor input, Tensor|Number other, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&eq>},
      {{"ne(Tensor input, Tensor|Number other, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&ne>},
      {{"lt(Tensor input, Tensor|Number other, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&lt>},
      {{"le(Tensor input, Tensor|Number other, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&le>},
      {{"gt(Tensor input, Tensor|Number other, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&gt>},
      {{"ge(Tensor input, Tensor|Number other, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&ge>},
      {{"logical_and(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants}, invoke_fn<&logical_and>},
      {{"logical_or(Tensor input, Tensor other, *, Tensor? out=None)", kAllVariants}, invoke_fn<&logical_or>},
  });
}

}  // namespace tg
