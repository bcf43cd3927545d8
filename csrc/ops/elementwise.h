// What elementwise op structs share (unary.cpp, binary.cpp, where_clamp_lerp.cpp): casting
// operands to the dtype an op computes in, and running the op's own functor over them.
//
// An elementwise op keeps its scalar math in its struct, next to its derivative:
//   struct Erf { ... template <class T> static T f(T x) { return std::erf(x); }
//                    static Tensor forward(const Tensor& a) { return map_floating<Erf>(a); } };
// so a new op needs no kernel enum or switch case. A backward that reads the op's result can
// also keep a fused form there (`fused(g, y)`), run in one pass when backward is not recorded.
#pragma once
#include <optional>

#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "kernels/loop.h"
#include "kernels/pointwise.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/pointwise_ops.h"
#include "ops/registry.h"

namespace tg::elementwise {

inline Tensor cast_to(const Tensor& t, DType d) { return t.dtype() == d ? t : kernels::cast(t, d); }

// The floating dtype an op like exp or div computes in: ints and bools go to float32.
inline DType floating_result(DType d) { return is_floating(d) ? d : default_float(); }

// PyTorch's refusal of a real-only kernel ("hypot_cpu", "logaddexp_cpu") for a non-floating
// dtype, worded as its dispatch words it.
inline void check_floating(DType d, const char* kernel) {
  TG_CHECK(is_floating(d), NotImplemented, "\"", kernel, "\" not implemented for '", dtype_legacy_name(d), "'");
}

// An enum kernel (kernels/pointwise.h) over both operands cast to `d`.
inline Tensor binary_in(kernels::BinaryOp op, const Tensor& a, const Tensor& b, DType d) {
  return kernels::binary(op, cast_to(a, d), cast_to(b, d));
}
// An enum kernel over `a` in its floating result dtype.
inline Tensor floating_unary(kernels::UnaryOp op, const Tensor& a) {
  return kernels::unary(op, cast_to(a, floating_result(a.dtype())));
}

// Op::f(x) over `a` in its floating result dtype (ints and bools compute in float32).
template <class Op>
Tensor map_floating(const Tensor& a) {
  const Tensor x = cast_to(a, floating_result(a.dtype()));
  Tensor out = Tensor::empty(x.sizes(), x.dtype());
  visit_floating(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::unary_loop<T, T>(out, x, [](T v) { return Op::f(v); }, parallel::kGrainCostly);
  });
  return out;
}

// Op::f(x, y) over `a` and `b` broadcast, in their promoted floating dtype.
template <class Op>
Tensor zip_floating(const Tensor& a, const Tensor& b) {
  const DType d = floating_result(result_type(a, b));
  const Tensor x = cast_to(a, d), y = cast_to(b, d);
  Tensor out = Tensor::empty(broadcast_shapes(x.sizes(), y.sizes()), d);
  visit_floating(d, [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::binary_loop<T, T>(out, x, y, [](T u, T v) { return Op::f(u, v); }, parallel::kGrainCostly);
  });
  return out;
}

// Op::f(x) over `a` in its own dtype (floor on an int64 tensor stays int64). Op::f is generic
// (or has an overload per dtype it accepts); the op refuses the others before calling this.
template <class Op>
Tensor map_same(const Tensor& a) {
  Tensor out = Tensor::empty(a.sizes(), a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (requires(T v) { Op::f(v); })
      kernels::unary_loop<T, T>(out, a, [](T v) { return T(Op::f(v)); }, parallel::kGrainCostly);
  });
  return out;
}

// Op::f(x, y) over `a` and `b` broadcast and cast to `d`, the result in `R` (d itself, or bool
// for predicates such as isclose). Op::f must accept d's C++ type.
template <class Op, bool ToBool = false>
Tensor zip_in(const Tensor& a, const Tensor& b, DType d) {
  const Tensor x = cast_to(a, d), y = cast_to(b, d);
  Tensor out = Tensor::empty(broadcast_shapes(x.sizes(), y.sizes()), ToBool ? DType::Bool : d);
  visit_dtype(d, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using R = std::conditional_t<ToBool, bool, T>;
    if constexpr (requires(T u) { Op::f(u, u); })
      kernels::binary_loop<T, R>(out, x, y, [](T u, T v) { return R(Op::f(u, v)); }, parallel::kGrainCostly);
  });
  return out;
}

// f(g, y) over the gradient and a saved tensor (the op's result or input), in one pass over
// memory, when backward is not recorded and both match; nullopt otherwise, and the op spells
// the same formula with differentiable ops (so create_graph differentiates it again). `f` is
// generic (auto parameters): it runs in the gradient's dtype.
template <class F>
std::optional<Tensor> fused_backward(const Tensor& grad, const Tensor& y, F f, int64_t grain = parallel::kGrainCheap) {
  if (GradMode::is_enabled() || grad.dtype() != y.dtype() || !is_floating(grad.dtype()) || grad.sizes() != y.sizes())
    return std::nullopt;
  Tensor out = Tensor::empty(grad.sizes(), grad.dtype());
  visit_floating(grad.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::binary_loop<T, T>(out, grad, y, [&f](T g, T v) { return f(g, v); }, grain);
  });
  return out;
}
// The same with the op's own `fused(g, y)`.
template <class Op>
std::optional<Tensor> fused_backward(const Tensor& grad, const Tensor& y) {
  return fused_backward(grad, y, [](auto g, auto v) { return Op::fused(g, v); });
}

// The two shapes of a unary backward. OfInput: Op::grad_from(grad, x), from the saved input.
// OfResult: Op::grad_from(grad, y), from the saved result, for the ops whose PyTorch formula
// reads the result (so that an in-place change of the result invalidates their backward), with
// Op::fused(g, y) run in one pass when the op has one and backward is not recorded.
template <class Op>
struct OfInput {
  struct Saved {
    SavedTensor self;
    auto tensors() { return std::tie(self); }
  };
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.self = a; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {Op::grad_from(grad, s.self.unpack())}; }
};

template <class Op>
struct OfResult {
  struct Saved {
    SavedTensor out;
    auto tensors() { return std::tie(out); }
  };
  static void save(Saved& s, const Tensor&, const Tensor& out) { s.out = SavedTensor(out, /*is_output=*/true); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor y = s.out.unpack();
    if constexpr (requires { Op::fused(1.0, 1.0); })
      if (auto fused = fused_backward<Op>(grad, y)) return {*fused};
    return {Op::grad_from(grad, y)};
  }
};

}  // namespace tg::elementwise
