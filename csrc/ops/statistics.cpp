// var, std (with Bessel's `correction`) and logsumexp, over all dims or a list of dims.
#include <algorithm>
#include <cmath>

#include "kernels/reduce.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/reduce_util.h"
#include "ops/registry.h"

namespace tg {

namespace {


DimList dims_of(const DimMask& mask) {
  DimList dims;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) dims.push_back((int64_t)d);
  return dims;
}

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

Tensor var(const Tensor& a, const DimList& dims, double correction, bool keepdim) {
  return apply_op<Var>(a, dims, correction, keepdim);
}
Tensor std_dev(const Tensor& a, const DimList& dims, double correction, bool keepdim) {
  return apply_op<Std>(a, dims, correction, keepdim);
}
Tensor logsumexp(const Tensor& a, const DimList& dims, bool keepdim) { return apply_op<Logsumexp>(a, dims, keepdim); }

void register_statistics_ops(std::vector<OpInfo>& ops) {
  register_ops<Var, Std, Logsumexp>(ops);
  register_functions(ops, {{{"logsumexp(Tensor input, int[] dim, bool keepdim=False, *, Tensor? out=None)",
                             kFunction | kMethod},
                            invoke_fn<&logsumexp>}});
}

}  // namespace tg
