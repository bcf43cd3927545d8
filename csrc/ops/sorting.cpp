// Ops that order the values along a dim: sort, argsort, msort, topk, kthvalue, median,
// nanmedian and mode. Each finds indices first (no history), then takes its values through a
// node that remembers them (torch's value-selecting reductions): the gradient flows back to
// the positions the values came from. NaN orders after every number, as in torch.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/shape.h"
#include "ops/elementwise.h"
#include "ops/reduce_util.h"
#include "ops/value_selecting.h"
#include "ops/registry.h"

namespace tg {

namespace {

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}

// a before b in ascending (or descending) order, NaN the largest; equal values keep their
// positions' order, so every sort here is stable and topk/kthvalue pick deterministically.
template <class T>
struct Before {
  const T* row;
  bool descending;
  bool operator()(int64_t i, int64_t j) const {
    const T a = row[i], b = row[j];
    const bool an = is_nan(a), bn = is_nan(b);
    if (an || bn) return an != bn ? (descending ? an : bn) : i < j;
    if (a != b) return descending ? a > b : a < b;
    return i < j;
  }
};

// Calls pick(row, n, positions) for each row along `dim` (positions: 0..n-1, to reorder) and
// returns what it wrote: `k` int64 indices per row, laid out as x with dim's size k.
template <class Pick>
Tensor indices_along(const Tensor& x, int64_t dim, int64_t k, Pick pick) {
  NoGradGuard indices_have_no_history;
  const int64_t last = x.dim() - 1;
  const Tensor rows = kernels::contiguous_copy(x.dim() ? transpose(x, dim, last) : x);
  const int64_t n = x.dim() ? x.sizes()[dim] : 1;
  const int64_t count = n ? rows.numel() / n : 0;
  Shape out_sizes = rows.sizes();
  if (x.dim()) out_sizes.back() = k;
  Tensor out = Tensor::empty(out_sizes, DType::Int64);
  int64_t* dst = out.data<int64_t>();
  std::vector<int64_t> positions(n);
  visit_dtype(rows.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = rows.data<T>();
    for (int64_t r = 0; r < count; ++r) {
      std::iota(positions.begin(), positions.end(), 0);
      pick(src + r * n, n, positions);
      std::copy_n(positions.begin(), k, dst + r * k);
    }
  });
  return x.dim() ? contiguous(transpose(out, dim, last)) : out;
}

int64_t checked_dim(const Tensor& x, int64_t dim) { return wrap_dim(dim, std::max<int64_t>(x.dim(), 1)) * (x.dim() > 0); }

// torch's CPU kernels for these have no bool version.
void check_not_bool(const Tensor& x, const char* message) {
  TG_CHECK(x.dtype() != DType::Bool, NotImplemented, message);
}

void check_nonempty(const Tensor& x, int64_t d, const char* fname) {
  if (x.dim()) TG_CHECK(x.sizes()[d] != 0, Index, fname, "(): Expected reduction dim ", d, " to have non-zero size.");
}

Tensor drop_dim(const Tensor& t, int64_t d, bool keepdim, int64_t input_dims) {
  return keepdim || input_dims == 0 ? t : squeeze(t, d);
}

}  // namespace

#define TG_PICKED(Struct, op_name, node_name)                   \
  struct Struct : Picked<Struct> {                               \
    static constexpr const char* name = op_name;                 \
    static constexpr const char* node = node_name;               \
  }
TG_PICKED(SortValues, "sort", "SortBackward0");
TG_PICKED(SortStableValues, "sort_stable", "SortBackward1");  // sort(stable=...)
TG_PICKED(TopkValues, "topk", "TopkBackward0");
TG_PICKED(KthvalueValues, "kthvalue", "KthvalueBackward0");
TG_PICKED(MedianDimValues, "median_dim", "MedianBackward1");
TG_PICKED(NanmedianDimValues, "nanmedian_dim", "NanmedianBackward1");
TG_PICKED(ModeValues, "mode", "ModeBackward0");
#undef TG_PICKED

namespace {

Tensor sort_indices(const Tensor& x, int64_t d, bool descending) {
  const int64_t n = x.dim() ? x.sizes()[d] : 1;
  return indices_along(x, d, n, [&](const auto* row, int64_t, std::vector<int64_t>& p) {
    std::sort(p.begin(), p.end(), Before<std::remove_cvref_t<decltype(*row)>>{row, descending});
  });
}

// sort and sort(stable=) differ in their node's name only: every sort here is stable.
template <class Values>
TensorList sorted(const Tensor& x, int64_t dim, bool descending) {
  const int64_t d = checked_dim(x, dim);
  Tensor indices = sort_indices(x, d, descending);
  return {apply_op<Values>(x, indices, d, true), indices};
}

TensorList sort(const Tensor& x, int64_t dim, bool descending) { return sorted<SortValues>(x, dim, descending); }

TensorList sort_stable(const Tensor& x, std::optional<bool>, int64_t dim, bool descending) {
  return sorted<SortStableValues>(x, dim, descending);
}

}  // namespace

Tensor sort_values(const Tensor& x, int64_t dim) { return sort(x, dim, false)[0]; }

namespace {

Tensor argsort(const Tensor& x, int64_t dim, bool descending, bool) { return sort_indices(x, checked_dim(x, dim), descending); }

Tensor msort(const Tensor& x) { return sort(x, 0, false)[0]; }

TensorList topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool) {
  const int64_t d = checked_dim(x, dim);
  const int64_t n = x.dim() ? x.sizes()[d] : 1;
  TG_CHECK(x.dtype() != DType::Bool, Runtime, "topk does not support bool dtypes on CPU");
  TG_CHECK(k >= 0 && k <= n, Runtime, "selected index k out of range");
  Tensor indices = indices_along(x, d, k, [&](const auto* row, int64_t, std::vector<int64_t>& p) {
    std::partial_sort(p.begin(), p.begin() + k, p.end(), Before<std::remove_cvref_t<decltype(*row)>>{row, largest});
  });
  return {apply_op<TopkValues>(x, indices, d, true), indices};
}

// The position of each row's k-th smallest value along d (0-based), k = k_of_row(row, n): kept
// layout, one index per row.
Tensor kth_positions(const Tensor& x, int64_t d, auto k_of_row) {
  return indices_along(x, d, 1, [&](const auto* row, int64_t n, std::vector<int64_t>& p) {
    const int64_t k = k_of_row(row, n);
    std::nth_element(p.begin(), p.begin() + k, p.end(), Before<std::remove_cvref_t<decltype(*row)>>{row, false});
    p[0] = p[k];
  });
}

// kthvalue, median(dim), nanmedian(dim): values and positions of each row's k-th smallest.
template <class Values>
TensorList kth(const Tensor& x, int64_t d, bool keepdim, const char* fname, auto k_of_row) {
  check_nonempty(x, d, fname);
  Tensor indices = kth_positions(x, d, k_of_row);
  return {apply_op<Values>(x, indices, d, keepdim), drop_dim(indices, d, keepdim, x.dim())};
}

TensorList kthvalue(const Tensor& x, int64_t k, int64_t dim, bool keepdim) {
  const int64_t d = checked_dim(x, dim);
  const int64_t n = x.dim() ? x.sizes()[d] : 1;
  check_not_bool(x, "\"kthvalue_cpu\" not implemented for 'Bool'");
  check_nonempty(x, d, "kthvalue");
  TG_CHECK(k >= 1 && k <= n, Runtime, "kthvalue(): selected number k out of range for dimension ", d);
  return kth<KthvalueValues>(x, d, keepdim, "kthvalue", [k](const auto*, int64_t) { return k - 1; });
}

// median: the lower of the two middle values; a row with a NaN has median NaN (its first NaN).
template <class T>
int64_t median_position(const T* row, int64_t n, bool ignore_nan) {
  int64_t numbers = 0;
  for (int64_t i = 0; i < n; ++i) numbers += !is_nan(row[i]);
  if (numbers < n && !ignore_nan) return numbers;  // NaNs sort last: position `numbers` is one
  return numbers ? (numbers - 1) / 2 : 0;
}

TensorList median_dim(const Tensor& x, int64_t dim, bool keepdim) {
  check_not_bool(x, "\"median_out\" not implemented for 'Bool'");
  return kth<MedianDimValues>(x, checked_dim(x, dim), keepdim, "median",
                              [](const auto* row, int64_t n) { return median_position(row, n, false); });
}

TensorList nanmedian_dim(const Tensor& x, int64_t dim, bool keepdim) {
  check_not_bool(x, "\"median_out\" not implemented for 'Bool'");
  return kth<NanmedianDimValues>(x, checked_dim(x, dim), keepdim, "nanmedian",
                                 [](const auto* row, int64_t n) { return median_position(row, n, true); });
}

}  // namespace

// median() / nanmedian() over all elements: one value, whose gradient is shared among the
// elements equal to it (torch's evenly-distributed rule); an empty input gives NaN.
template <bool IgnoreNan>
struct MedianAll {
  static constexpr const char* name = IgnoreNan ? "nanmedian" : "median";
  static constexpr const char* node = IgnoreNan ? "NanmedianBackward0" : "MedianBackward0";
  static constexpr Schema schema{IgnoreNan ? "nanmedian(Tensor input)" : "median(Tensor input)", kFunction | kMethod};
  struct Saved {
    SavedTensor self, out;
    auto tensors() { return std::tie(self, out); }
  };
  static Tensor forward(const Tensor& x) {
    check_not_bool(x, "\"median_cpu\" not implemented for 'Bool'");
    if (x.numel() == 0) return kernels::full({}, Scalar(NAN), x.dtype());
    const Tensor flat = reshape(x, {x.numel()});
    const Tensor index =
        kth_positions(flat, 0, [](const auto* row, int64_t n) { return median_position(row, n, IgnoreNan); });
    return reshape(gather(flat, 0, index), {});
  }
  static void save(Saved& s, const Tensor& x, const Tensor& out) {
    s.self = x;
    s.out = SavedTensor(out, /*is_output=*/true);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor x = s.self.unpack();
    if (x.numel() == 0) return {zeros_like(x)};
    return {evenly_distributed(grad, x, s.out.unpack(), DimMask(x.dim(), true))};
  }
};

namespace {

// mode: the most frequent value of each row (the smallest among equally frequent ones) and
// the last position where it occurs.
TensorList mode(const Tensor& x, int64_t dim, bool keepdim) {
  const int64_t d = checked_dim(x, dim);
  check_nonempty(x, d, "mode");
  Tensor indices = indices_along(x, d, 1, [&](const auto* row, int64_t n, std::vector<int64_t>& p) {
    std::sort(p.begin(), p.end(), Before<std::remove_cvref_t<decltype(*row)>>{row, false});
    int64_t best = p[n - 1], best_count = 0;
    for (int64_t start = 0; start < n;) {
      int64_t end = start, last = p[start];
      auto same = [&](int64_t i) { return row[p[i]] == row[p[start]] || (is_nan(row[p[i]]) && is_nan(row[p[start]])); };
      while (end < n && same(end)) last = std::max(last, p[end++]);
      if (end - start > best_count) best = last, best_count = end - start;
      start = end;
    }
    p[0] = best;
  });
  return {apply_op<ModeValues>(x, indices, d, keepdim), drop_dim(indices, d, keepdim, x.dim())};
}

constexpr uint8_t kBoth = kFunction | kMethod;

}  // namespace

void register_sorting_ops(std::vector<OpInfo>& ops) {
  register_ops<SortValues, SortStableValues, TopkValues, KthvalueValues, MedianDimValues, NanmedianDimValues, ModeValues,
               MedianAll<false>, MedianAll<true>>(ops);
  register_functions(
      ops,
      {
          {{"sort(Tensor input, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)", kBoth},
           invoke_fn<&sort>},
          {{"sort(Tensor input, *, bool? stable, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)",
            kBoth},
           invoke_fn<&sort_stable>},
          {{"argsort(Tensor input, int dim=-1, bool descending=False, *, bool stable=False)", kBoth}, invoke_fn<&argsort>},
          {{"msort(Tensor input, *, Tensor? out=None)", kFunction | kMethod}, invoke_fn<&msort>},
          {{"topk(Tensor input, int k, int dim=-1, bool largest=True, bool sorted=True) -> (Tensor values, Tensor indices)",
            kBoth},
           invoke_fn<&topk>},
          {{"kthvalue(Tensor input, int k, int dim=-1, bool keepdim=False) -> (Tensor values, Tensor indices)", kBoth},
           invoke_fn<&kthvalue>},
          {{"median(Tensor input, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)", kBoth},
           invoke_fn<&median_dim>},
          {{"nanmedian(Tensor input, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)", kBoth},
           invoke_fn<&nanmedian_dim>},
          {{"mode(Tensor input, int dim=-1, bool keepdim=False) -> (Tensor values, Tensor indices)", kBoth},
           invoke_fn<&mode>},
      });
}

}  // namespace tg
