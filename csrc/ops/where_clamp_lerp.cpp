// Elementwise ops of three operands: where(cond, a, b), clamp(x, min, max) with number or
// tensor bounds, lerp(x, y, w) with a number or tensor weight, and addcmul / addcdiv
// (x + value * t1 * t2, x + value * t1 / t2).
#include <cmath>

#include "ops/elementwise.h"

namespace tg {

using elementwise::binary_in;
using elementwise::cast_to;
using kernels::BinaryOp;

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

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) { return apply_op<Where>(cond, a, b); }

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

// clamp_min(x, min) and clamp_max(x, max): clamp with one bound, under their own node names (a
// number bound: ClampMinBackward0, a tensor: ClampMinBackward1). The gradient passes where x is
// inside the bound and, for a tensor bound, goes to the bound elsewhere.
template <bool IsMin>
struct ClampOneScalar {
  static constexpr const char* name = IsMin ? "clamp_min" : "clamp_max";
  static constexpr const char* node = IsMin ? "ClampMinBackward0" : "ClampMaxBackward0";
  static constexpr Schema schema{IsMin ? "clamp_min(Tensor input, Number min, *, Tensor? out=None)"
                                       : "clamp_max(Tensor input, Number max, *, Tensor? out=None)",
                                 kFunction | kMethod};
  struct Saved {
    SavedTensor self;
    Scalar bound;
    auto tensors() { return std::tie(self); }
  };
  static Tensor forward(const Tensor& a, Scalar bound) {
    return IsMin ? Clamp::forward(a, bound, std::nullopt) : Clamp::forward(a, std::nullopt, bound);
  }
  static void save(Saved& s, const Tensor& a, Scalar bound, const Tensor&) { s.self = a, s.bound = bound; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor x = s.self.unpack(), b = scalar_tensor(s.bound);
    return {where(IsMin ? ge(x, b) : le(x, b), grad, zeros({}, grad.dtype()))};
  }
};

template <bool IsMin>
struct ClampOneTensor {
  static constexpr const char* name = IsMin ? "clamp_min_tensor" : "clamp_max_tensor";
  static constexpr const char* node = IsMin ? "ClampMinBackward1" : "ClampMaxBackward1";
  static constexpr Schema schema{IsMin ? "clamp_min(Tensor input, Tensor min, *, Tensor? out=None)"
                                       : "clamp_max(Tensor input, Tensor max, *, Tensor? out=None)",
                                 kFunction | kMethod};
  struct Saved {
    SavedTensor self, bound;
    auto tensors() { return std::tie(self, bound); }
  };
  static Tensor forward(const Tensor& a, const Tensor& bound) {
    return IsMin ? ClampTensor::forward(a, bound, Tensor()) : ClampTensor::forward(a, Tensor(), bound);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& bound, const Tensor&) { s.self = a, s.bound = bound; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor x = s.self.unpack(), b = s.bound.unpack(), zero = zeros({}, grad.dtype());
    // Two masks, not one and its negation: where x is NaN neither side gets the gradient (PyTorch's).
    const Tensor inside = IsMin ? ge(x, b) : le(x, b), crossed = IsMin ? lt(x, b) : gt(x, b);
    return {needs[0] ? where(inside, grad, zero) : Tensor(), needs[1] ? where(crossed, grad, zero) : Tensor()};
  }
};

namespace {
// x.clamp_min_(bound) / clamp_max_: a number bound that promotes self (a float bound on an int64
// self) is refused before the op runs, in PyTorch's words for the number overload (as clamp_'s,
// bindings/bind_math.cpp); a tensor bound gets apply_inplace's.
template <bool IsMin>
Tensor clamp_one_number_(const Tensor& self, Scalar bound) {
  const DType d = result_type(self, scalar_tensor(bound));
  TG_CHECK(promote(d, self.dtype()) == self.dtype() || is_floating(self.dtype()), Runtime, "result type ",
           dtype_legacy_name(d), " can't be cast to the desired output type ", dtype_scalar_name(self.dtype()));
  return apply_inplace(self, [&](const Tensor& s) { return apply_op<ClampOneScalar<IsMin>>(s, bound); });
}
template <bool IsMin>
Tensor clamp_one_tensor_(const Tensor& self, const Tensor& bound) {
  return apply_inplace(self, [&](const Tensor& s) { return apply_op<ClampOneTensor<IsMin>>(s, bound); });
}
}  // namespace

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

// addcmul(x, t1, t2, value=v) = x + v * t1 * t2 and addcdiv(x, t1, t2, value=v) = x + v * t1 / t2,
// in the three tensors' promoted dtype; `value` does not promote, it is converted to that dtype
// (addcmul of int tensors with value=0.5 adds nothing, as in PyTorch). Integer division is
// refused, as PyTorch's addcdiv refuses it.
template <bool IsDiv>
struct Addc {
  static constexpr const char* name = IsDiv ? "addcdiv" : "addcmul";
  static constexpr const char* node = IsDiv ? "AddcdivBackward0" : "AddcmulBackward0";
  static constexpr Schema schema{
      IsDiv ? "addcdiv(Tensor input, Tensor tensor1, Tensor tensor2, *, Number value=1, Tensor? out=None)"
            : "addcmul(Tensor input, Tensor tensor1, Tensor tensor2, *, Number value=1, Tensor? out=None)",
      kFunction | kMethod | kInPlace};
  struct Saved {
    SavedTensor t1, t2;
    Scalar value;
    auto tensors() { return std::tie(t1, t2); }
  };
  static Tensor forward(const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value) {
    TG_CHECK(!IsDiv || is_floating(t1.dtype()) || is_floating(t2.dtype()), Runtime,
             "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a "
             "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
             "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
             "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
             "(input + value * tensor1 / tensor2), for all dtypes.");
    const DType d = result_type(a, t1, t2);
    TG_CHECK(d != DType::Bool, NotImplemented, IsDiv ? "\"addcdiv_cpu_out\"" : "\"addcmul_cpu_out\"",
             " not implemented for 'Bool'");
    broadcast_shapes(broadcast_shapes(a.sizes(), t1.sizes()), t2.sizes());  // PyTorch's order in a size mismatch
    const Tensor v = kernels::full({}, value, d), x = cast_to(a, d), y = cast_to(t1, d), z = cast_to(t2, d);
    const Tensor scaled = kernels::binary(BinaryOp::Mul, v, y);  // PyTorch's order: x + (v * t1) op t2
    return kernels::binary(BinaryOp::Add, x, binary_in(IsDiv ? BinaryOp::Div : BinaryOp::Mul, scaled, z, d));
  }
  static void save(Saved& s, const Tensor&, const Tensor& t1, const Tensor& t2, Scalar value, const Tensor&) {
    s.t1 = t1, s.t2 = t2, s.value = value;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    const Tensor t1 = s.t1.unpack(), t2 = s.t2.unpack();
    const double v = s.value.to_double();
    if constexpr (IsDiv) {
      return {needs[0] ? grad : Tensor(), needs[1] ? grad * v / t2 : Tensor(),
              needs[2] ? -grad * v * t1 / (t2 * t2) : Tensor()};
    } else {
      return {needs[0] ? grad : Tensor(), needs[1] ? grad * t2 * v : Tensor(), needs[2] ? grad * t1 * v : Tensor()};
    }
  }
};

void register_where_clamp_lerp_ops(std::vector<OpInfo>& ops) {
  register_ops<Where, Clamp, ClampTensor, LerpScalar, LerpTensor, Addc<false>, Addc<true>, ClampOneTensor<true>,
               ClampOneScalar<true>, ClampOneTensor<false>, ClampOneScalar<false>>(ops);
  register_functions(ops, {
      {{"clamp_min_(Tensor input, Tensor min)", kMethod}, invoke_fn<&clamp_one_tensor_<true>>},
      {{"clamp_min_(Tensor input, Number min)", kMethod}, invoke_fn<&clamp_one_number_<true>>},
      {{"clamp_max_(Tensor input, Tensor max)", kMethod}, invoke_fn<&clamp_one_tensor_<false>>},
      {{"clamp_max_(Tensor input, Number max)", kMethod}, invoke_fn<&clamp_one_number_<false>>},
  });
}

}  // namespace tg
