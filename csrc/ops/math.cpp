// More elementwise math: floor division and remainder, the log/trig family, clamp,
// maximum/minimum, lerp, and the logical and float-class predicates (no history).
#include <cmath>

#include "kernels/copy.h"
#include "kernels/pointwise.h"
#include "graph/missing_derivative.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

using kernels::BinaryOp;
using kernels::UnaryOp;

namespace {
Tensor cast_to(const Tensor& t, DType d) { return t.dtype() == d ? t : kernels::cast(t, d); }
Tensor binary_in(BinaryOp op, const Tensor& a, const Tensor& b, DType d) {
  return kernels::binary(op, cast_to(a, d), cast_to(b, d));
}
// Ints and bools compute in the default float dtype, as PyTorch's floating unary ops do.
Tensor float_unary(UnaryOp op, const Tensor& a) {
  return kernels::unary(op, cast_to(a, is_floating(a.dtype()) ? a.dtype() : kDefaultFloat));
}
}  // namespace

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
};
Tensor remainder(const Tensor& a, const Tensor& b) {
  return b.is_wrapped_number() ? apply_op<RemainderScalar>(a, b) : apply_op<Remainder>(a, b);
}

// One struct per unary op: its kernel, and d out / d x written with tapegrad ops from the
// saved input.
#define TG_UNARY_OP(Struct, op_name, node_name, kernel_op, derivative)                          \
  struct Struct {                                                                               \
    static constexpr const char* name = op_name;                                                \
    static constexpr const char* node = node_name;                                              \
    struct Saved {                                                                              \
      SavedTensor self;                                                                         \
      auto tensors() { return std::tie(self); }                                                 \
    };                                                                                          \
    static Tensor forward(const Tensor& a) { return float_unary(UnaryOp::kernel_op, a); }       \
    static void save(Saved& s, const Tensor& a, const Tensor&) { s.self = a; }                  \
    static TensorList backward(Saved& s, const Tensor& grad, Needs) {                           \
      Tensor x = s.self.unpack();                                                               \
      return {grad * (derivative)};                                                             \
    }                                                                                           \
  };

// The same from the saved output y, for the ops whose PyTorch formula reads the result (so
// that an in-place change of the result, not of the input, invalidates their backward).
#define TG_UNARY_OP_OF_RESULT(Struct, op_name, node_name, kernel_op, derivative)               \
  struct Struct {                                                                               \
    static constexpr const char* name = op_name;                                                \
    static constexpr const char* node = node_name;                                              \
    struct Saved {                                                                              \
      SavedTensor out;                                                                          \
      auto tensors() { return std::tie(out); }                                                  \
    };                                                                                          \
    static Tensor forward(const Tensor& a) { return float_unary(UnaryOp::kernel_op, a); }       \
    static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, true); } \
    static TensorList backward(Saved& s, const Tensor& grad, Needs) {                           \
      Tensor y = s.out.unpack();                                                                \
      return {grad * (derivative)};                                                             \
    }                                                                                           \
  };

TG_UNARY_OP(Log1p, "log1p", "Log1PBackward0", Log1p, reciprocal(x + 1.0))
TG_UNARY_OP_OF_RESULT(Expm1, "expm1", "Expm1Backward0", Expm1, y + 1.0)
TG_UNARY_OP(Log2, "log2", "Log2Backward0", Log2, reciprocal(x * std::log(2.0)))
TG_UNARY_OP(Sin, "sin", "SinBackward0", Sin, cos(x))
TG_UNARY_OP(Cos, "cos", "CosBackward0", Cos, -sin(x))
TG_UNARY_OP_OF_RESULT(Tan, "tan", "TanBackward0", Tan, y * y + 1.0)
TG_UNARY_OP_OF_RESULT(Rsqrt, "rsqrt", "RsqrtBackward0", Rsqrt, -0.5 * y * y * y)
#undef TG_UNARY_OP
#undef TG_UNARY_OP_OF_RESULT

Tensor log1p(const Tensor& a) { return apply_op<Log1p>(a); }
Tensor expm1(const Tensor& a) { return apply_op<Expm1>(a); }
Tensor log2(const Tensor& a) { return apply_op<Log2>(a); }
Tensor sin(const Tensor& a) { return apply_op<Sin>(a); }
Tensor cos(const Tensor& a) { return apply_op<Cos>(a); }
Tensor tan(const Tensor& a) { return apply_op<Tan>(a); }
Tensor rsqrt(const Tensor& a) { return apply_op<Rsqrt>(a); }
// PyTorch's square is pow(x, 2), node PowBackward0.
Tensor square(const Tensor& a) { return pow(a, Scalar::from_int(2)); }

// clamp(x, min, max) with Python-number bounds: NaN in x or a bound propagates (numpy's
// clip); the gradient passes where min <= x <= max. The bounds take part in type promotion as
// wrapped numbers do (clamp(int tensor, max=1.5) is floating, as in PyTorch), and each bound
// is converted once, exactly, to the result dtype (an int64 bound of 2**63 - 1 stays itself).
struct Clamp {
  static constexpr const char* name = "clamp";
  static constexpr const char* node = "ClampBackward1";
  struct Saved {
    SavedTensor self;
    std::optional<Scalar> lo, hi;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi) {
    TG_CHECK(lo || hi, Runtime, "torch.clamp: At least one of 'min' or 'max' must not be None");
    const DType d = result_type(a, scalar_tensor(lo ? *lo : *hi), scalar_tensor(hi ? *hi : *lo));
    TG_CHECK(d != DType::Bool, NotImplemented, "\"", !hi ? "clamp_min" : !lo ? "clamp_max" : "clamp",
             "_scalar_cpu\" not implemented for 'Bool'");
    Tensor out = cast_to(a, d);
    if (lo) out = kernels::binary(BinaryOp::Maximum, out, kernels::full({}, *lo, d));
    if (hi) out = kernels::binary(BinaryOp::Minimum, out, kernels::full({}, *hi, d));
    return out;
  }
  static void save(Saved& s, const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi, const Tensor&) {
    s.self = a;
    s.lo = lo;
    s.hi = hi;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    // where, not grad * mask: a NaN or inf gradient must not leak where x was clamped (PyTorch's).
    Tensor x = s.self.unpack();
    Tensor pass;
    if (s.lo) pass = ge(x, scalar_tensor(*s.lo));
    if (s.hi) pass = pass.defined() ? logical_and(pass, le(x, scalar_tensor(*s.hi))) : le(x, scalar_tensor(*s.hi));
    if (!pass.defined()) return {grad};
    return {where(pass, grad, zeros({}, grad.dtype()))};
  }
};
Tensor clamp(const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi) { return apply_op<Clamp>(a, lo, hi); }

// clamp with tensor bounds (either may be undefined): the gradient goes to x inside the
// bounds and to the bound that x crossed.
struct ClampTensor {
  static constexpr const char* name = "clamp_tensor";
  static constexpr const char* node = "ClampBackward0";
  struct Saved {
    SavedTensor self, lo, hi;
    auto tensors() { return std::tie(self, lo, hi); }
  };
  static Tensor forward(const Tensor& a, const Tensor& lo, const Tensor& hi) {
    TG_CHECK(lo.defined() || hi.defined(), Runtime, "torch.clamp: At least one of 'min' or 'max' must not be None");
    TG_CHECK(!(lo.defined() && hi.defined() && result_type(a, lo, hi) == DType::Bool), NotImplemented,
             "\"clamp_cpu\" not implemented for 'Bool'");
    Tensor out = a;
    if (lo.defined()) out = binary_in(BinaryOp::Maximum, out, lo, result_type(out, lo));
    if (hi.defined()) out = binary_in(BinaryOp::Minimum, out, hi, result_type(out, hi));
    return out;
  }
  static void save(Saved& s, const Tensor& a, const Tensor& lo, const Tensor& hi, const Tensor&) {
    s.self = a, s.lo = lo, s.hi = hi;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor x = s.self.unpack(), lo = s.lo.unpack(), hi = s.hi.unpack();
    Tensor zero = zeros_like(grad), pass;
    if (lo.defined()) pass = ge(x, lo);
    if (hi.defined()) pass = pass.defined() ? logical_and(pass, le(x, hi)) : le(x, hi);
    Tensor gx = needs[0] ? where(pass, grad, zero) : Tensor();  // where: no NaN leaks where clamped
    // With min >= max the result is max everywhere: max gets the gradient, min none (PyTorch's
    // convention for the tie min == max too).
    Tensor glo, ghi;
    if (needs[1]) {
      Tensor below = hi.defined() ? logical_and(lt(x, lo), lt(lo, hi)) : lt(x, lo);
      glo = where(below, grad, zero);
    }
    if (needs[2]) ghi = where(lo.defined() ? gt(maximum(x, lo), hi) : gt(x, hi), grad, zero);
    return {gx, glo, ghi};
  }
};
Tensor clamp(const Tensor& a, const Tensor& lo, const Tensor& hi) { return apply_op<ClampTensor>(a, lo, hi); }

// maximum/minimum: NaN propagates; on ties each side gets half the gradient (PyTorch's rule).
template <bool IsMax>
struct Extremum {
  static constexpr const char* name = IsMax ? "maximum" : "minimum";
  static constexpr const char* node = IsMax ? "MaximumBackward0" : "MinimumBackward0";
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

// lerp(x, y, w) = x + w (y - x), with a number weight (LerpBackward0) or a tensor (LerpBackward1).
struct LerpScalar {
  static constexpr const char* name = "lerp";
  static constexpr const char* node = "LerpBackward0";
  struct Saved {
    double w = 0;
  };
  static Tensor forward(const Tensor& a, const Tensor& b, double w) {
    TG_CHECK(a.dtype() == b.dtype(), Runtime, "expected dtype ", dtype_scalar_name(a.dtype()),
             " for `end` but got dtype ", dtype_scalar_name(b.dtype()));
    // Integers would be promoted to float by `w * ...` below; PyTorch has no integer lerp.
    TG_CHECK(is_floating(a.dtype()), NotImplemented, "\"lerp_kernel_scalar\" not implemented for '",
             dtype_legacy_name(a.dtype()), "'");
    broadcast_shapes(a.sizes(), b.sizes());  // PyTorch's order in a size mismatch: self, then end
    kernels::full({}, w, a.dtype());  // a weight a's dtype cannot hold: PyTorch's overflow error
    // PyTorch's two-sided formula: exact at both ends (w = 0 gives a, w = 1 gives b), and the
    // same infinities and NaNs as PyTorch's for extreme inputs.
    return std::abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1.0 - w);
  }
  static void save(Saved& s, const Tensor&, const Tensor&, double w, const Tensor&) { s.w = w; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    return {needs[0] ? grad * (1.0 - s.w) : Tensor(), needs[1] ? grad * s.w : Tensor()};
  }
};

struct LerpTensor {
  static constexpr const char* name = "lerp_tensor";
  static constexpr const char* node = "LerpBackward1";
  struct Saved {
    SavedTensor a, b, w;
    auto tensors() { return std::tie(a, b, w); }
  };
  static Tensor forward(const Tensor& a, const Tensor& b, const Tensor& w) {
    TG_CHECK(a.dtype() == b.dtype(), Runtime, "expected dtype ", dtype_scalar_name(a.dtype()),
             " for `end` but got dtype ", dtype_scalar_name(b.dtype()));
    // A 0-d weight promotes with the others, as a 0-d tensor does (lerp(x, y, tensor(2)));
    // a dimensioned one must match.
    TG_CHECK(w.dim() == 0 || a.dtype() == w.dtype(), Runtime, "expected dtype ", dtype_scalar_name(a.dtype()),
             " for `weight` but got dtype ", dtype_scalar_name(w.dtype()));
    const DType d = result_type(a, b, w);
    TG_CHECK(is_floating(d), NotImplemented, "\"lerp_kernel_tensor\" not implemented for '", dtype_legacy_name(d), "'");
    broadcast_shapes(broadcast_shapes(a.sizes(), b.sizes()), w.sizes());  // PyTorch's order in a size mismatch
    const Tensor x = cast_to(a, d), y = cast_to(b, d);
    const Tensor weight = cast_to(w, d);  // the two-sided formula, as LerpScalar's
    return where(lt(abs(weight), scalar_tensor(0.5)), x + weight * (y - x), y - (y - x) * (1.0 - weight));
  }
  static void save(Saved& s, const Tensor& a, const Tensor& b, const Tensor& w, const Tensor&) {
    s.a = a, s.b = b, s.w = w;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor w = s.w.unpack();
    return {needs[0] ? grad * (1.0 - w) : Tensor(), needs[1] ? grad * w : Tensor(),
            needs[2] ? grad * (s.b.unpack() - s.a.unpack()) : Tensor()};
  }
};
Tensor lerp(const Tensor& a, const Tensor& b, double w) { return apply_op<LerpScalar>(a, b, w); }
Tensor lerp(const Tensor& a, const Tensor& b, const Tensor& w) { return apply_op<LerpTensor>(a, b, w); }

// Truth values and float classes: bool results, never differentiable.
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return binary_in(BinaryOp::LogicalAnd, a, b, result_type(a, b));
}
Tensor logical_or(const Tensor& a, const Tensor& b) { return binary_in(BinaryOp::LogicalOr, a, b, result_type(a, b)); }
Tensor logical_not(const Tensor& a) { return kernels::unary(UnaryOp::LogicalNot, a); }
Tensor isnan(const Tensor& a) { return kernels::unary(UnaryOp::IsNan, a); }
Tensor isinf(const Tensor& a) { return kernels::unary(UnaryOp::IsInf, a); }
Tensor isfinite(const Tensor& a) { return kernels::unary(UnaryOp::IsFinite, a); }

void register_math_ops(std::vector<OpInfo>& ops) {
  register_ops<ClampTensor, Remainder, RemainderScalar, Log1p, Expm1, Log2, Sin, Cos, Tan, Rsqrt, Clamp, Extremum<true>, Extremum<false>,
               LerpScalar, LerpTensor>(ops);
}

}  // namespace tg
