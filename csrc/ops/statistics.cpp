// var, std (with Bessel's `correction`), var_mean/std_mean (one node, two results) and
// logsumexp, over all dims or a list of dims.
#include <algorithm>
#include <cmath>

#include "kernels/reduce.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/reduce_util.h"
#include "ops/registry.h"

namespace tg {

namespace {


DimList dims_of(const DimMask& mask) { return dims_of_mask(mask); }

// sum((x - mean)^2) / (N - correction); N - correction <= 0 gives inf or nan, as PyTorch
// (which also warns).
Tensor variance(const Tensor& a, const DimMask& mask, double correction, bool keepdim) {
  TG_CHECK(is_floating(a.dtype()), Runtime, "std and var only support floating point and complex dtypes");
  DimList dims = dims_of(mask);
  if (a.dim() == 0) dims.clear();
  Tensor centred = a.dim() == 0 ? a - a : a - mean(a, dims, true);
  Tensor sq = centred * centred;
  Tensor total = a.dim() == 0 ? sq : sum(sq, dims, keepdim);
  return total / std::max(0.0, (double)reduced_count(a, mask) - correction);
}

struct VarSaved {
  SavedTensor self, out;
  DimMask mask;
  double correction = 1;
  bool keepdim = false;
  auto tensors() { return std::tie(self, out); }
};

void save_var(VarSaved& s, const Tensor& a, const DimMask& mask, double correction, bool keepdim, const Tensor& out) {
  s.self = a;
  s.out = SavedTensor(out, true);
  s.mask = mask;
  s.correction = correction;
  s.keepdim = keepdim;
}

// d var / dx = 2 (x - mean) / (N - correction)
Tensor var_backward(VarSaved& s, const Tensor& grad) {
  Tensor x = s.self.unpack();
  DimList dims = dims_of(s.mask);
  Tensor centred = x.dim() == 0 ? x - x : x - mean(x, dims, true);
  double n = std::max(0.0, (double)reduced_count(x, s.mask) - s.correction);
  return with_kept_dims(grad, s.mask, s.keepdim) * (centred * (2.0 / n));
}

}  // namespace

struct Var {
  static constexpr const char* name = "var";
  static constexpr const char* node = "VarBackward0";
  using Saved = VarSaved;
  static Tensor forward(const Tensor& a, const DimList& dims, double correction, bool keepdim) {
    return variance(a, dim_mask(a, dims), correction, keepdim);
  }
  static void save(Saved& s, const Tensor& a, const DimList& dims, double correction, bool keepdim, const Tensor& out) {
    save_var(s, a, dim_mask(a, dims), correction, keepdim, out);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {var_backward(s, grad)}; }
};

struct Std {
  static constexpr const char* name = "std";
  static constexpr const char* node = "StdBackward0";
  using Saved = VarSaved;
  static Tensor forward(const Tensor& a, const DimList& dims, double correction, bool keepdim) {
    return sqrt(variance(a, dim_mask(a, dims), correction, keepdim));
  }
  static void save(Saved& s, const Tensor& a, const DimList& dims, double correction, bool keepdim, const Tensor& out) {
    save_var(s, a, dim_mask(a, dims), correction, keepdim, out);
  }
  // d std = d var / (2 std)
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    // PyTorch's std_backward: zero where the std is zero (a constant input), not 0/0.
    Tensor out = s.out.unpack();
    return {var_backward(s, where(eq(out, scalar_tensor(0.0)), zeros({}, grad.dtype()), grad / (out * 2.0)))};
  }
};

// log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max (0 where it is
// infinite, so that all -inf gives -inf and +inf gives +inf without NaN).
struct Logsumexp : SavesInputAndOutput {
  static constexpr const char* name = "logsumexp";
  static constexpr const char* node = "LogsumexpBackward0";
  static Tensor forward(const Tensor& a_in, const DimList& dims, bool keepdim) {
    Tensor a = is_floating(a_in.dtype()) ? a_in : to_dtype(a_in, default_float());
    DimMask mask = dim_mask(a, dims);
    Tensor m = kernels::reduce_keepdim(a, mask, kernels::ReduceOp::Max);
    m = where(isinf(m), zeros_like(m), m);
    DimList d = dims_of(mask);
    Tensor s = a.dim() == 0 ? exp(a - m) : sum(exp(a - m), d, true);
    Tensor out = log(s) + m;
    return keepdim || a.dim() == 0 ? out : squeeze(out, d);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    return {with_kept_dims(grad, s.mask, s.keepdim) * exp(x - with_kept_dims(s.out.unpack(), s.mask, s.keepdim))};
  }
};

// var_mean / std_mean: one node with two results, as torch's; each result's gradient adds in
// (an unused one is left out).
template <bool IsStd>
struct SpreadMean {
  static constexpr const char* name = IsStd ? "std_mean" : "var_mean";
  static constexpr const char* node = IsStd ? "StdMeanBackward0" : "VarMeanBackward0";
  using Saved = VarSaved;
  static TensorList forward(const Tensor& a, const DimList& dims, double correction, bool keepdim) {
    TG_CHECK(is_floating(a.dtype()), Runtime, name, " only support floating point and complex dtypes");
    const DimMask mask = dim_mask(a, dims);
    const Tensor v = variance(a, mask, correction, keepdim);
    const DimList d = dims_of(mask);
    return {IsStd ? sqrt(v) : v, a.dim() == 0 ? clone(a) : mean(a, d, keepdim)};
  }
  static void save(Saved& s, const Tensor& a, const DimList& dims, double correction, bool keepdim,
                   const TensorList& outs) {
    save_var(s, a, dim_mask(a, dims), correction, keepdim, outs[0]);
  }
  static TensorList backward(Saved& s, const TensorList& grads, Needs) {
    const Tensor x = s.self.unpack();
    Tensor total;
    if (grads[0].defined()) {
      Tensor g = grads[0];
      if (IsStd) {
        const Tensor out = s.out.unpack();
        g = where(eq(out, scalar_tensor(0.0)), zeros({}, g.dtype()), g / (out * 2.0));
      }
      total = var_backward(s, g);
    }
    if (grads[1].defined()) {
      const Tensor g = expand(with_kept_dims(grads[1], s.mask, s.keepdim), x.sizes()) / (double)reduced_count(x, s.mask);
      total = total.defined() ? total + g : g;
    }
    return {total};
  }
};

template <bool IsStd>
TensorList spread_mean(const Tensor& a, std::optional<DimList> dims, std::optional<Scalar> correction, bool keepdim) {
  return apply_multi_output_op<SpreadMean<IsStd>>(a, dims.value_or(DimList{}), correction ? correction->to_double() : 1.0,
                                                  keepdim);
}
template <bool IsStd>
TensorList spread_mean_unbiased(const Tensor& a, std::optional<DimList> dims, bool unbiased, bool keepdim) {
  return apply_multi_output_op<SpreadMean<IsStd>>(a, dims.value_or(DimList{}), unbiased ? 1.0 : 0.0, keepdim);
}
template <bool IsStd>
TensorList spread_mean_all(const Tensor& a, bool unbiased) {
  return spread_mean_unbiased<IsStd>(a, std::nullopt, unbiased, false);
}

Tensor var(const Tensor& a, const DimList& dims, double correction, bool keepdim) {
  return apply_op<Var>(a, dims, correction, keepdim);
}
Tensor std_dev(const Tensor& a, const DimList& dims, double correction, bool keepdim) {
  return apply_op<Std>(a, dims, correction, keepdim);
}
Tensor logsumexp(const Tensor& a, const DimList& dims, bool keepdim) { return apply_op<Logsumexp>(a, dims, keepdim); }

void register_statistics_ops(std::vector<OpInfo>& ops) {
  register_ops<Var, Std, Logsumexp, SpreadMean<false>, SpreadMean<true>>(ops);
  register_functions(
      ops,
      {
          {{"var_mean(Tensor input, int[]? dim, bool unbiased=True, bool keepdim=False) -> Tensor[]", kFunction},
           invoke_fn<&spread_mean_unbiased<false>>},
          {{"var_mean(Tensor input, int[]? dim=None, *, Number? correction=None, bool keepdim=False) -> Tensor[]",
            kFunction},
           invoke_fn<&spread_mean<false>>},
          {{"var_mean(Tensor input, bool unbiased=True) -> Tensor[]", kFunction}, invoke_fn<&spread_mean_all<false>>},
          {{"std_mean(Tensor input, int[]? dim, bool unbiased=True, bool keepdim=False) -> Tensor[]", kFunction},
           invoke_fn<&spread_mean_unbiased<true>>},
          {{"std_mean(Tensor input, int[]? dim=None, *, Number? correction=None, bool keepdim=False) -> Tensor[]",
            kFunction},
           invoke_fn<&spread_mean<true>>},
          {{"std_mean(Tensor input, bool unbiased=True) -> Tensor[]", kFunction}, invoke_fn<&spread_mean_all<true>>},
      });
  register_functions(ops, {{{"logsumexp(Tensor input, int[] dim, bool keepdim=False, *, Tensor? out=None)",
                             kFunction | kMethod},
                            invoke_fn<&logsumexp>}});
}

}  // namespace tg
