// Running extrema along one dim: cummax and cummin (values and the position each came from),
// and logcumsumexp (the running log of sums of exponentials, a smooth running max).
#include <cmath>
#include <limits>

#include "core/shape.h"
#include "ops/elementwise.h"
#include "ops/registry.h"
#include "ops/scan.h"
#include "ops/value_selecting.h"

namespace tg {

struct CummaxValues : Picked<CummaxValues> {
  static constexpr const char* name = "cummax";
  static constexpr const char* node = "CummaxBackward0";
};
struct CumminValues : Picked<CumminValues> {
  static constexpr const char* name = "cummin";
  static constexpr const char* node = "CumminBackward0";
};

namespace {

template <class T>
bool nan_value(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}

// The position of the running max (min) at each step: a later equal value takes over, and a
// NaN, once seen, stays (torch's rules).
template <bool IsMax>
Tensor running_extreme_positions(const Tensor& a, int64_t d) {
  const Tensor x = kernels::contiguous_copy(a);
  Tensor out = Tensor::empty(x.sizes(), DType::Int64);
  const auto [outer, n, inner] = scan::Layout(x, d);
  int64_t* dst = out.data<int64_t>();
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = x.data<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * n * inner + i;
        int64_t best = 0;
        for (int64_t k = 0; k < n; ++k) {
          const T v = src[base + k * inner], b = src[base + best * inner];
          const bool takes = !nan_value(b) && (nan_value(v) || (IsMax ? v >= b : v <= b));
          if (takes) best = k;
          dst[base + k * inner] = best;
        }
      }
  });
  return out;
}

template <class Values, bool IsMax>
TensorList cumulative_extreme(const Tensor& x, int64_t dim) {
  TG_CHECK(x.dim() || dim == 0 || dim == -1, Index, IsMax ? "cummax" : "cummin",
           "(): Expected reduction dim -1 or 0 for scalar but got ", dim);
  const int64_t d = x.dim() ? wrap_dim(dim, x.dim()) : 0;
  Tensor indices = running_extreme_positions<IsMax>(x, d);
  return {apply_op<Values>(x, indices, d, true), indices};
}

// log(exp(a) + exp(b)) without overflow; equal infinities stay themselves.
template <class T>
T log_add_exp(T a, T b) {
  if (a == b) return std::isinf(a) ? a : a + T(std::log(2.0));
  const T hi = std::max(a, b), lo = std::min(a, b);
  if (std::isnan(a) || std::isnan(b)) return a + b;
  return hi + std::log1p(std::exp(lo - hi));
}

}  // namespace

// logcumsumexp(x, dim): y[k] = log(sum_{i <= k} exp(x[i])). Its gradient,
// sum_{j >= k} g[j] * exp(x[k] - y[j]), is formed in log space, the positive and the negative
// parts of g apart, so that no exp overflows; it uses logcumsumexp itself (reversed), so it
// differentiates again.
struct Logcumsumexp {
  static constexpr const char* name = "logcumsumexp";
  static constexpr const char* node = "LogcumsumexpBackward0";
  static constexpr Schema schema{"logcumsumexp(Tensor input, int dim, *, Tensor? out=None)", kFunction | kMethod};
  struct Saved {
    SavedTensor self, out;
    int64_t dim = 0;
    auto tensors() { return std::tie(self, out); }
  };
  static Tensor forward(const Tensor& a, int64_t dim) {
    elementwise::check_floating(a.dtype(), "logcumsumexp_out_cpu");
    const int64_t d = scan::dim_of(a, dim);
    const Tensor x = kernels::contiguous_copy(a);
    Tensor out = Tensor::empty(x.sizes(), x.dtype());
    visit_floating(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      scan::run<T>(x, out, d, [](T acc, T v) { return log_add_exp(acc, v); });
    });
    return out;
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& out) {
    s.self = a, s.out = SavedTensor(out, /*is_output=*/true), s.dim = scan::dim_of(a, dim);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor x = s.self.unpack(), y = s.out.unpack();
    if (x.dim() == 0) return {grad};
    const DimList d{s.dim};
    const double lowest = grad.dtype() == DType::Float64 ? std::numeric_limits<double>::lowest()
                                                         : double(std::numeric_limits<float>::lowest());
    const Tensor floor = scalar_tensor(lowest, grad.dtype());
    const Tensor log_abs = log(abs(grad)), zero = scalar_tensor(0.0, grad.dtype());
    auto part = [&](const Tensor& log_g) {  // exp(x[k] + log(sum_{j >= k} exp(log_g[j] - y[j])))
      return exp(flip(apply_op<Logcumsumexp>(flip(log_g - y, d), s.dim), d) + x);
    };
    return {part(where(gt(grad, zero), log_abs, floor)) - part(where(lt(grad, zero), log_abs, floor))};
  }
};

void register_cumulative_extrema_ops(std::vector<OpInfo>& ops) {
  register_ops<CummaxValues, CumminValues, Logcumsumexp>(ops);
  register_functions(ops, {
                              {{"cummax(Tensor input, int dim) -> (Tensor values, Tensor indices)", kFunction | kMethod},
                               invoke_fn<&cumulative_extreme<CummaxValues, true>>},
                              {{"cummin(Tensor input, int dim) -> (Tensor values, Tensor indices)", kFunction | kMethod},
                               invoke_fn<&cumulative_extreme<CumminValues, false>>},
                          });
}

}  // namespace tg
