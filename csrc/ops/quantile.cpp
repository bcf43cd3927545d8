// quantile and nanquantile, composed of differentiable ops as torch composes them: sort the
// values along dim (NaN last), pick the two neighbours of each rank q * (count - 1) with gather
// and lerp between them. Only the picked positions and weights, which carry no gradient, are
// computed by hand here.
#include <cmath>
#include <string_view>

#include "core/shape.h"
#include "kernels/copy.h"
#include "ops/registry.h"

namespace tg {

namespace {

enum class Interpolation { Linear, Lower, Higher, Midpoint, Nearest };

Interpolation interpolation_of(std::string_view name, const char* fname) {
  if (name == "linear") return Interpolation::Linear;
  if (name == "lower") return Interpolation::Lower;
  if (name == "higher") return Interpolation::Higher;
  if (name == "midpoint") return Interpolation::Midpoint;
  if (name == "nearest") return Interpolation::Nearest;
  TG_ERROR(Runtime, fname, "() interpolation must be one of linear, lower, higher, midpoint or nearest, but got ", name);
}

// For each row of `sorted` (rows along the last dim, NaN last) and each q: the positions below
// and above its rank and the lerp weight between them. A row whose result is NaN picks its last
// value, a NaN, so that the NaN and its gradient come from it, as in torch.
struct Picks {
  Tensor below, above, weight;
};

Picks picks_for(const Tensor& sorted, const std::vector<double>& qs, Interpolation how, bool ignore_nan) {
  const Tensor rows = kernels::contiguous_copy(kernels::cast(sorted, DType::Float64));
  const int64_t n = rows.sizes().back(), count = rows.numel() / std::max<int64_t>(n, 1), nq = (int64_t)qs.size();
  Shape sizes = rows.sizes();
  sizes.back() = nq;
  Picks p{Tensor::empty(sizes, DType::Int64), Tensor::empty(sizes, DType::Int64), Tensor::empty(sizes, sorted.dtype())};
  const double* src = rows.data<double>();
  int64_t *below = p.below.data<int64_t>(), *above = p.above.data<int64_t>();
  std::vector<double> weights(count * nq);
  for (int64_t r = 0; r < count; ++r) {
    int64_t numbers = 0;
    while (numbers < n && !std::isnan(src[r * n + numbers])) ++numbers;
    const bool row_nan = ignore_nan ? numbers == 0 : numbers < n;
    for (int64_t j = 0; j < nq; ++j) {
      const double rank = qs[j] * double(std::max<int64_t>(numbers, 1) - 1);
      double lo = std::floor(rank), hi = std::ceil(rank), w = rank - lo;
      if (how == Interpolation::Lower) hi = lo, w = 0;
      if (how == Interpolation::Higher) lo = hi, w = 0;
      if (how == Interpolation::Nearest) lo = hi = std::nearbyint(rank), w = 0;  // half to even, as torch
      if (how == Interpolation::Midpoint) w = hi > lo ? 0.5 : 0;
      if (row_nan) lo = hi = double(n - 1), w = 0;
      const int64_t at = r * nq + j;
      below[at] = (int64_t)lo, above[at] = (int64_t)hi, weights[at] = w;
    }
  }
  visit_floating(sorted.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* dst = p.weight.data<T>();
    for (size_t i = 0; i < weights.size(); ++i) dst[i] = T(weights[i]);
  });
  return p;
}

Tensor quantile_impl(const Tensor& x, const Tensor& q_tensor, std::optional<double> q_number, std::optional<int64_t> dim,
                     bool keepdim, std::string_view interpolation, bool ignore_nan) {
  const char* fname = ignore_nan ? "nanquantile" : "quantile";
  TG_CHECK(x.numel() > 0, Runtime, fname, "() input tensor must be non-empty");
  TG_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, Runtime, fname,
           "() input tensor must be either float or double dtype");
  std::vector<double> qs;
  if (q_number) {
    qs.push_back(*q_number);
  } else {
    TG_CHECK(q_tensor.dim() <= 1, Runtime, fname, "() q must be a scalar or 1D tensor");
    TG_CHECK(q_tensor.dtype() == x.dtype(), Runtime, fname, "() q tensor must be same dtype as the input tensor");
    const Tensor qd = kernels::contiguous_copy(kernels::cast(q_tensor, DType::Float64));
    qs.assign(qd.data<double>(), qd.data<double>() + qd.numel());
  }
  for (double q : qs)
    TG_CHECK(q >= 0 && q <= 1, Runtime, fname, "() q must be in the range [0, 1] but got ", q);
  const Interpolation how = interpolation_of(interpolation, fname);

  // Rows along the last dim: the reduced dim moved there (or everything flattened).
  Tensor rows = dim ? x : reshape(x, {x.numel()});
  const int64_t d = dim ? wrap_dim(*dim, std::max<int64_t>(x.dim(), 1)) : 0;
  if (rows.dim() == 0) rows = unsqueeze(rows, 0);
  DimList to_last;
  for (int64_t i = 0; i < rows.dim(); ++i)
    if (i != d) to_last.push_back(i);
  to_last.push_back(d);
  const Tensor sorted = sort_values(permute(rows, to_last), -1);
  Picks p;
  {
    NoGradGuard picks_have_no_history;
    p = picks_for(sorted, qs, how, ignore_nan);
  }
  Tensor result = lerp(gather(sorted, -1, p.below), gather(sorted, -1, p.above), p.weight);
  // (..., q) -> (q, ...), then the reduced dim back for keepdim and q's dim away for a number q.
  DimList q_first{result.dim() - 1};
  for (int64_t i = 0; i + 1 < result.dim(); ++i) q_first.push_back(i);
  result = permute(result, q_first);
  if (keepdim) {
    if (dim) {
      result = x.dim() ? unsqueeze(result, d + 1) : result;
    } else {
      Shape kept{(int64_t)qs.size()};
      for (int64_t i = 0; i < x.dim(); ++i) kept.push_back(1);
      result = reshape(result, kept);
    }
  }
  if (q_number || q_tensor.dim() == 0) result = squeeze(result, 0);
  return result;
}

template <bool IgnoreNan>
Tensor quantile_tensor_q(const Tensor& x, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                         std::string_view interpolation) {
  return quantile_impl(x, q, std::nullopt, dim, keepdim, interpolation, IgnoreNan);
}
template <bool IgnoreNan>
Tensor quantile_number_q(const Tensor& x, double q, std::optional<int64_t> dim, bool keepdim,
                         std::string_view interpolation) {
  return quantile_impl(x, Tensor(), q, dim, keepdim, interpolation, IgnoreNan);
}

constexpr uint8_t kBoth = kFunction | kMethod;

}  // namespace

void register_quantile_ops(std::vector<OpInfo>& ops) {
  register_functions(
      ops,
      {
          {{"quantile(Tensor input, Tensor q, int? dim=None, bool keepdim=False, *, str interpolation=\"linear\", "
            "Tensor? out=None)",
            kBoth},
           invoke_fn<&quantile_tensor_q<false>>},
          {{"quantile(Tensor input, float q, int? dim=None, bool keepdim=False, *, str interpolation=\"linear\", "
            "Tensor? out=None)",
            kBoth},
           invoke_fn<&quantile_number_q<false>>},
          {{"nanquantile(Tensor input, Tensor q, int? dim=None, bool keepdim=False, *, str interpolation=\"linear\", "
            "Tensor? out=None)",
            kBoth},
           invoke_fn<&quantile_tensor_q<true>>},
          {{"nanquantile(Tensor input, float q, int? dim=None, bool keepdim=False, *, str interpolation=\"linear\", "
            "Tensor? out=None)",
            kBoth},
           invoke_fn<&quantile_number_q<true>>},
      });
}

}  // namespace tg
