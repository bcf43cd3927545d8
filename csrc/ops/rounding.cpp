// Integer parts: floor, ceil, trunc (fix), round (half to even, optionally to `decimals`
// places) and frac. Ints keep their dtype (floor of an int64 tensor is a copy of it) and bools
// are refused, with PyTorch's kernel names in the message. The rounding functions are flat
// almost everywhere, so their gradient is zero, under PyTorch's node names; frac's is one.
#include <cmath>
#include <concepts>

#include "ops/elementwise.h"

namespace tg {

using elementwise::map_same;

namespace {
constexpr uint8_t kAllVariants = kFunction | kMethod | kInPlace;

void refuse(bool refused, const char* kernel, DType d) {
  TG_CHECK(!refused, NotImplemented, "\"", kernel, "\" not implemented for '", dtype_legacy_name(d), "'");
}
}  // namespace

// One struct per function: F::f on floats, a copy for ints.
template <class F>
struct Rounding {
  static constexpr const char* name = F::name;
  static constexpr const char* node = F::node;
  static constexpr Schema schema = F::schema;
  struct Saved {};
  static Tensor forward(const Tensor& a) {
    refuse(a.dtype() == DType::Bool, F::kernel, a.dtype());
    if (!is_floating(a.dtype())) return kernels::contiguous_copy(a);
    return map_same<F>(a);
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {zeros_like(grad)}; }
};

struct FloorFn {
  static constexpr const char* name = "floor";
  static constexpr const char* node = "FloorBackward0";
  static constexpr const char* kernel = "floor_vml_cpu";
  static constexpr Schema schema{"floor(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <std::floating_point T> static T f(T x) { return std::floor(x); }
};
struct CeilFn {
  static constexpr const char* name = "ceil";
  static constexpr const char* node = "CeilBackward0";
  static constexpr const char* kernel = "ceil_vml_cpu";
  static constexpr Schema schema{"ceil(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <std::floating_point T> static T f(T x) { return std::ceil(x); }
};
struct TruncFn {
  static constexpr const char* name = "trunc";
  static constexpr const char* node = "TruncBackward0";
  static constexpr const char* kernel = "trunc_vml_cpu";
  static constexpr Schema schema{"trunc(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <std::floating_point T> static T f(T x) { return std::trunc(x); }
};
// Ties go to the even neighbour (2.5 -> 2), as PyTorch's (the default rounding mode's nearbyint).
struct RoundFn {
  static constexpr const char* name = "round";
  static constexpr const char* node = "RoundBackward0";
  static constexpr const char* kernel = "round_vml_cpu";
  static constexpr Schema schema{"round(Tensor input, *, Tensor? out=None)", kAllVariants};
  template <std::floating_point T> static T f(T x) { return std::nearbyint(x); }
};

using Floor = Rounding<FloorFn>;
using Ceil = Rounding<CeilFn>;
using Trunc = Rounding<TruncFn>;
using Round = Rounding<RoundFn>;

// round(x, decimals=d): x scaled by 10^d, rounded, scaled back, in x's dtype (PyTorch's order,
// so float32 results match it bit for bit). Ints are refused here, even with decimals=0.
struct RoundDecimals {
  static constexpr const char* name = "round_decimals";
  static constexpr const char* node = "RoundBackward1";
  static constexpr Schema schema{"round(Tensor input, *, int decimals, Tensor? out=None)", kAllVariants};
  struct Saved {};
  static Tensor forward(const Tensor& a, int64_t decimals) {
    refuse(!is_floating(a.dtype()), decimals == 0 ? "round_vml_cpu" : "round_cpu", a.dtype());
    if (decimals == 0) return map_same<RoundFn>(a);
    Tensor out = Tensor::empty(a.sizes(), a.dtype());
    visit_floating(a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const bool up = decimals > 0;
      const T scale = T(std::pow(10.0, double(up ? decimals : -decimals)));
      kernels::unary_loop<T, T>(out, a, [=](T v) {
        return up ? std::nearbyint(v * scale) / scale : std::nearbyint(v / scale) * scale;
      });
    });
    return out;
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {zeros_like(grad)}; }
};

// frac(x) = x - trunc(x), sign kept; floats only.
struct Frac {
  static constexpr const char* name = "frac";
  static constexpr const char* node = "FracBackward0";
  static constexpr Schema schema{"frac(Tensor input, *, Tensor? out=None)", kAllVariants};
  struct Saved {};
  template <std::floating_point T> static T f(T x) { return x - std::trunc(x); }
  static Tensor forward(const Tensor& a) {
    refuse(!is_floating(a.dtype()), "frac_cpu", a.dtype());
    return map_same<Frac>(a);
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {grad}; }
};

Tensor floor(const Tensor& a) { return apply_op<Floor>(a); }
Tensor ceil(const Tensor& a) { return apply_op<Ceil>(a); }
Tensor trunc(const Tensor& a) { return apply_op<Trunc>(a); }
Tensor round(const Tensor& a) { return apply_op<Round>(a); }
Tensor frac(const Tensor& a) { return apply_op<Frac>(a); }

void register_rounding_ops(std::vector<OpInfo>& ops) {
  register_ops<Floor, Ceil, Trunc, Round, RoundDecimals, Frac>(ops);
  register_functions(ops, {
      {{"fix(Tensor input, *, Tensor? out=None)", kAllVariants}, invoke_fn<&trunc>},  // PyTorch's alias
  });
}

}  // namespace tg
