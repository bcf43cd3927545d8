// Elementwise ops: each struct holds its forward, what it saves and its backward formula.
#include <cmath>

#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "kernels/pointwise.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

using kernels::BinaryOp;
using kernels::UnaryOp;
using kernels::FusedGrad;

// ---------------------------------------------------------------------------------------------
// Type promotion and the shared forward of binary ops.

namespace {

int category(DType d) { return d == DType::Bool ? 0 : is_floating(d) ? 2 : 1; }

// PyTorch's combine_categories: `higher` wins unless `lower` is of a higher category.
std::optional<DType> combine(std::optional<DType> higher, std::optional<DType> lower) {
  if (!higher) return lower;
  if (!lower) return higher;
  if (category(*lower) > category(*higher)) return promote(*higher, *lower);
  return higher;
}

struct PromotionState {
  std::optional<DType> dimensioned, zero_dim, wrapped;
  void add(const Tensor& t) {
    auto& slot = t.is_wrapped_number() ? wrapped : t.dim() == 0 ? zero_dim : dimensioned;
    // A Python float counts as the default dtype, not as float64.
    DType d = t.is_wrapped_number() && is_floating(t.dtype()) ? kDefaultFloat : t.dtype();
    slot = slot ? promote(*slot, d) : d;
  }
  DType result() const { return *combine(dimensioned, combine(zero_dim, wrapped)); }
};

Tensor cast_to(const Tensor& t, DType d) { return t.dtype() == d ? t : kernels::cast(t, d); }

Tensor binary_forward(BinaryOp op, const Tensor& a, const Tensor& b, DType compute) {
  return kernels::binary(op, cast_to(a, compute), cast_to(b, compute));
}

// The floating dtype an op like exp or div computes in: ints and bools go to float32.
DType floating_result(DType d) { return is_floating(d) ? d : kDefaultFloat; }

}  // namespace

DType result_type(const Tensor& a, const Tensor& b) {
  PromotionState s;
  s.add(a);
  s.add(b);
  return s.result();
}

DType result_type(const Tensor& a, const Tensor& b, const Tensor& c) {
  PromotionState s;
  s.add(a);
  s.add(b);
  s.add(c);
  return s.result();
}

// ---------------------------------------------------------------------------------------------
// Binary arithmetic.

struct Add {
  static constexpr const char* name = "add";
  static constexpr const char* node = "AddBackward0";
  struct Saved {};
  static Tensor forward(const Tensor& a, const Tensor& b) {
    return binary_forward(BinaryOp::Add, a, b, result_type(a, b));
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
    return binary_forward(BinaryOp::Sub, a, b, result_type(a, b));
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
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    return binary_forward(BinaryOp::Mul, a, b, result_type(a, b));
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
  struct Saved {
    SavedTensor a, b;
    auto tensors() { return std::tie(a, b); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    return binary_forward(BinaryOp::Div, a, b, floating_result(result_type(a, b)));
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
        return kernels::cast(binary_forward(BinaryOp::Pow, a, scalar_tensor(v), DType::Float64), d);
    }
    return binary_forward(BinaryOp::Pow, a, e, d);
  }
  static void save(Saved& s, const Tensor& a, Scalar exponent, const Tensor&) {
    s.self = a;
    s.exponent = exponent.to_double();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    if (s.exponent == 0.0) return {zeros_like(grad)};
    Tensor x = s.self.unpack();
    if (!GradMode::is_enabled() && kernels::can_fuse(grad, x)) return {kernels::pow_scalar_backward(grad, x, s.exponent)};
    return {grad * (s.exponent * pow(x, s.exponent - 1))};
  }
};

// tensor ** tensor
struct PowTensor {
  static constexpr const char* name = "pow";
  static constexpr const char* node = "PowBackward1";
  struct Saved {
    SavedTensor a, b, out;
    auto tensors() { return std::tie(a, b, out); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b) {
    const DType d = result_type(a, b);
    TG_CHECK(d != DType::Bool, NotImplemented, "\"pow\" not implemented for 'Bool'");
    return binary_forward(BinaryOp::Pow, a, b, d);
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
  struct Saved {
    SavedTensor exponent, out;
    double base = 0;
    auto tensors() { return std::tie(exponent, out); }
  };
  static Tensor forward(Scalar base, const Tensor& exponent) {
    Tensor b = scalar_tensor(base);
    const DType d = result_type(b, exponent);
    TG_CHECK(d != DType::Bool, NotImplemented, "\"pow\" not implemented for 'Bool'");
    return binary_forward(BinaryOp::Pow, b, exponent, d);
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

// ---------------------------------------------------------------------------------------------
// Unary ops. Ops that only make sense on reals (exp, log, ...) compute ints in float32.

namespace {
Tensor unary_forward(UnaryOp op, const Tensor& a) { return kernels::unary(op, a); }
Tensor floating_unary_forward(UnaryOp op, const Tensor& a) {
  return kernels::unary(op, cast_to(a, floating_result(a.dtype())));
}
}  // namespace

struct Neg {
  static constexpr const char* name = "neg";
  static constexpr const char* node = "NegBackward0";
  struct Saved {};
  static Tensor forward(const Tensor& a) {
    TG_CHECK(a.dtype() != DType::Bool, Runtime,
             "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
             "invert a mask, use the `~` or `logical_not()` operator instead.");
    return unary_forward(UnaryOp::Neg, a);
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {neg(grad)}; }
};

struct Exp {
  static constexpr const char* name = "exp";
  static constexpr const char* node = "ExpBackward0";
  struct Saved {
    SavedTensor out;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a) { return floating_unary_forward(UnaryOp::Exp, a); }
  static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, true); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {grad * s.out.unpack()}; }
};

struct Log {
  static constexpr const char* name = "log";
  static constexpr const char* node = "LogBackward0";
  struct Saved {
    SavedTensor self;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a) { return floating_unary_forward(UnaryOp::Log, a); }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.self = a; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {grad / s.self.unpack()}; }
};

struct Sqrt {
  static constexpr const char* name = "sqrt";
  static constexpr const char* node = "SqrtBackward0";
  struct Saved {
    SavedTensor out;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a) { return floating_unary_forward(UnaryOp::Sqrt, a); }
  static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, true); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor y = s.out.unpack();
    if (!GradMode::is_enabled() && kernels::can_fuse(grad, y)) return {kernels::fused_backward(FusedGrad::Sqrt, grad, y)};
    return {grad / (y * 2.0)};
  }
};

struct Tanh {
  static constexpr const char* name = "tanh";
  static constexpr const char* node = "TanhBackward0";
  struct Saved {
    SavedTensor out;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a) { return floating_unary_forward(UnaryOp::Tanh, a); }
  static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, true); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor y = s.out.unpack();
    if (!GradMode::is_enabled() && kernels::can_fuse(grad, y)) return {kernels::fused_backward(FusedGrad::Tanh, grad, y)};
    return {grad * (1.0 - y * y)};
  }
};

struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  static constexpr const char* node = "SigmoidBackward0";
  struct Saved {
    SavedTensor out;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a) { return floating_unary_forward(UnaryOp::Sigmoid, a); }
  static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, true); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor y = s.out.unpack();
    if (!GradMode::is_enabled() && kernels::can_fuse(grad, y)) return {kernels::fused_backward(FusedGrad::Sigmoid, grad, y)};
    return {grad * (y * (1.0 - y))};
  }
};

struct Relu {
  static constexpr const char* name = "relu";
  static constexpr const char* node = "ReluBackward0";
  struct Saved {
    SavedTensor out;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a) { return unary_forward(UnaryOp::Relu, a); }
  static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, true); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    // where, not grad * mask: a NaN or inf gradient must not leak where x <= 0 (PyTorch's
    // threshold_backward). Under create_graph the passed part is grad * sign(out), which keeps
    // out's history so the gradient stays differentiable (with zero second derivative).
    Tensor out = s.out.unpack();
    if (!GradMode::is_enabled() && kernels::can_fuse(grad, out)) return {kernels::fused_backward(FusedGrad::Relu, grad, out)};
    Tensor pass = gt(out, scalar_tensor(0.0)), zero = zeros({}, grad.dtype());
    return {where(pass, GradMode::is_enabled() ? grad * sign(out) : grad, zero)};
  }
};

struct Abs {
  static constexpr const char* name = "abs";
  static constexpr const char* node = "AbsBackward0";
  struct Saved {
    SavedTensor self;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a) {
    TG_CHECK(a.dtype() != DType::Bool, NotImplemented, "\"abs_cpu\" not implemented for 'Bool'");
    return unary_forward(UnaryOp::Abs, a);
  }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.self = a; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {grad * sign(s.self.unpack())}; }
};

struct Sign {
  static constexpr const char* name = "sign";
  static constexpr const char* node = "SignBackward0";
  struct Saved {};
  static Tensor forward(const Tensor& a) {
    return a.dtype() == DType::Bool ? kernels::cast(a, a.dtype()) : unary_forward(UnaryOp::Sign, a);
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {zeros_like(grad)}; }
};

struct Reciprocal {
  static constexpr const char* name = "reciprocal";
  static constexpr const char* node = "ReciprocalBackward0";
  struct Saved {
    SavedTensor out;
    auto tensors() { return std::tie(out); }
  };
  static Tensor forward(const Tensor& a) { return floating_unary_forward(UnaryOp::Reciprocal, a); }
  static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, true); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor y = s.out.unpack();
    if (!GradMode::is_enabled() && kernels::can_fuse(grad, y)) return {kernels::fused_backward(FusedGrad::Reciprocal, grad, y)};
    return {-grad * (y * y)};
  }
};

struct Where {
  static constexpr const char* name = "where";
  static constexpr const char* node = "WhereBackward0";
  struct Saved {
    SavedTensor cond;
    auto tensors() { return std::tie(cond); }
  };
  static Tensor forward(const Tensor& cond, const Tensor& a, const Tensor& b) {
    TG_CHECK(cond.dtype() == DType::Bool, Runtime, "where expected condition to be a boolean tensor, but got a tensor with dtype ",
             dtype_legacy_name(cond.dtype()));
    DType d = result_type(a, b);
    return kernels::where(cond, cast_to(a, d), cast_to(b, d));
  }
  static void save(Saved& s, const Tensor& cond, const Tensor&, const Tensor&, const Tensor&) { s.cond = cond; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor c = s.cond.unpack();
    Tensor zero = zeros_like(grad);
    return {Tensor(), needs[1] ? where(c, grad, zero) : Tensor(), needs[2] ? where(c, zero, grad) : Tensor()};
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
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) { return apply_op<Where>(cond, a, b); }

// ---------------------------------------------------------------------------------------------
// Comparisons: bool results, no history.

namespace {
Tensor compare(BinaryOp op, const Tensor& a, const Tensor& b) { return binary_forward(op, a, b, result_type(a, b)); }
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Ge, a, b); }

// ---------------------------------------------------------------------------------------------
// Creation helpers used by formulas.

Tensor scalar_tensor(double value, DType dtype) {
  Tensor t = kernels::full({}, value, dtype);
  t.impl()->wrapped_number = true;
  return t;
}
Tensor scalar_tensor(Scalar value) {
  Tensor t = kernels::full({}, value, value.dtype());
  t.impl()->wrapped_number = true;
  return t;
}
Tensor zeros(const Shape& sizes, DType dtype) { return kernels::full(sizes, 0.0, dtype); }
Tensor ones(const Shape& sizes, DType dtype) { return kernels::full(sizes, 1.0, dtype); }
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }

void register_pointwise_ops(std::vector<OpInfo>& ops) {
  register_ops<Add, Sub, Rsub, Mul, Div, PowScalar, PowTensor, PowScalarBase, Neg, Exp, Log, Sqrt, Tanh,
               Sigmoid, Relu, Abs, Sign, Reciprocal, Where>(ops);
}

}  // namespace tg
