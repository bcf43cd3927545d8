// unique, unique_consecutive (of elements, or of slices along a dim), nonzero and argwhere:
// results whose size depends on the values. None of them has a derivative: unique's values
// carry a node that says so, as torch's Unique2Backward0 does; the others are int64 indices.
#include <algorithm>
#include <numeric>

#include "core/shape.h"
#include "kernels/copy.h"
#include "ops/registry.h"
#include "ops/unique.h"

namespace tg {

namespace {

// x's slices along dim (all elements as slices of one when dim is absent) as the rows of a
// contiguous (n, m) tensor.
Tensor rows_of(const Tensor& x, std::optional<int64_t> dim) {
  NoGradGuard no_history;
  if (!dim) return kernels::contiguous_copy(reshape(x, {x.numel(), 1}));
  const int64_t d = wrap_dim(*dim, x.dim());
  const Tensor front = transpose(x, 0, d);
  const int64_t n = front.sizes()[0];
  return kernels::contiguous_copy(reshape(front, {n, n ? x.numel() / n : 0}));
}

}  // namespace

// The values of unique carry a node whose backward raises, as torch's (one node name per form).
template <class Op>
struct NoDerivative {
  struct Saved {};
  struct Found {
    Tensor values;
  };
  static Tensor forward(const Tensor&, const Found& found) { return found.values; }
  static TensorList backward(Saved&, const Tensor&, Needs) {
    TG_ERROR(NotImplemented, "the derivative for '", Op::aten, "' is not implemented.");
  }
};
struct Unique2 : NoDerivative<Unique2> {
  static constexpr const char* name = "unique";
  static constexpr const char* node = "Unique2Backward0";
  static constexpr const char* aten = "_unique2";
};
struct UniqueDim : NoDerivative<UniqueDim> {
  static constexpr const char* name = "unique_dim";
  static constexpr const char* node = "UniqueDimBackward0";
  static constexpr const char* aten = "unique_dim";
};
struct UniqueConsecutive : NoDerivative<UniqueConsecutive> {
  static constexpr const char* name = "unique_consecutive";
  static constexpr const char* node = "UniqueConsecutiveBackward0";
  static constexpr const char* aten = "unique_consecutive";
};

UniqueResult unique(const Tensor& x, bool consecutive, std::optional<int64_t> dim) {
  if (dim) {
    TG_CHECK(x.dim() > 0, Index, "Dimension specified as ", *dim, " but tensor has no dimensions");
    const int64_t d = wrap_dim(*dim, x.dim());
    for (int64_t i = 0; i < x.dim(); ++i)
      TG_CHECK(i == d || x.sizes()[i] != 0, Runtime,
               "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied");
  }
  const Tensor rows = rows_of(x, dim);
  const int64_t n = rows.sizes()[0], m = rows.sizes()[1];
  std::vector<int64_t> order(n), group_of(n), firsts;
  std::iota(order.begin(), order.end(), 0);
  visit_dtype(rows.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* data = rows.data<T>();
    auto element_less = [](T a, T b) {  // NaN after every number, so that sorting stays well defined
      if constexpr (std::is_floating_point_v<T>)
        if (a != a || b != b) return a == a;
      return a < b;
    };
    auto less = [&](int64_t a, int64_t b) {
      return std::lexicographical_compare(data + a * m, data + a * m + m, data + b * m, data + b * m + m, element_less);
    };
    auto equal = [&](int64_t a, int64_t b) { return std::equal(data + a * m, data + a * m + m, data + b * m); };
    if (!consecutive) std::stable_sort(order.begin(), order.end(), less);
    for (int64_t k = 0; k < n; ++k) {
      if (k == 0 || !equal(order[k], order[k - 1])) firsts.push_back(k);
      group_of[order[k]] = (int64_t)firsts.size() - 1;
    }
  });
  const int64_t groups = (int64_t)firsts.size();
  Tensor picked = Tensor::empty({groups}, DType::Int64), counts = Tensor::empty({groups}, DType::Int64);
  for (int64_t g = 0; g < groups; ++g) {
    picked.data<int64_t>()[g] = order[firsts[g]];
    counts.data<int64_t>()[g] = (g + 1 < groups ? firsts[g + 1] : n) - firsts[g];
  }
  Tensor inverse = Tensor::empty({n}, DType::Int64);
  std::copy(group_of.begin(), group_of.end(), inverse.data<int64_t>());
  Tensor values;
  {
    NoGradGuard no_history;
    const Tensor chosen = index_select(rows, 0, picked);
    if (!dim) {
      values = reshape(chosen, {groups});
      inverse = reshape(inverse, x.sizes());
    } else {
      const int64_t d = wrap_dim(*dim, x.dim());
      Shape front = transpose(x, 0, d).sizes();
      front[0] = groups;
      values = contiguous(transpose(reshape(chosen, front), 0, d));
    }
  }
  Tensor recorded = consecutive ? apply_op<UniqueConsecutive>(x, UniqueConsecutive::Found{values})
                    : dim       ? apply_op<UniqueDim>(x, UniqueDim::Found{values})
                                : apply_op<Unique2>(x, Unique2::Found{values});
  return {recorded, inverse, counts};
}

// The positions of nonzero elements: one row of x.dim() indices each, in row-major order.
Tensor nonzero(const Tensor& x) {
  const Tensor c = kernels::contiguous_copy(x);
  std::vector<int64_t> hits;
  visit_dtype(c.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* data = c.data<T>();
    for (int64_t i = 0; i < c.numel(); ++i)
      if (data[i] != T(0)) hits.push_back(i);
  });
  const int64_t dims = x.dim();
  Tensor out = Tensor::empty({(int64_t)hits.size(), dims}, DType::Int64);
  int64_t* dst = out.data<int64_t>();
  for (size_t h = 0; h < hits.size(); ++h) {
    int64_t flat = hits[h];
    for (int64_t d = dims - 1; d >= 0; --d) {
      dst[h * dims + d] = flat % x.sizes()[d];
      flat /= x.sizes()[d];
    }
  }
  return out;
}

namespace {

// torch's primitives under tapegrad.unique / unique_consecutive (tapegrad/functional.py, which
// picks the results a call asked for) and Tensor.nonzero's two forms.
TensorList unique2(const Tensor& x, bool, bool, bool) {
  UniqueResult r = unique(x, false, std::nullopt);
  return {r.values, r.inverse, r.counts};
}
TensorList unique_dim(const Tensor& x, int64_t dim, bool, bool, bool) {
  UniqueResult r = unique(x, false, dim);
  return {r.values, r.inverse, r.counts};
}
TensorList unique_consecutive(const Tensor& x, bool, bool, std::optional<int64_t> dim) {
  UniqueResult r = unique(x, true, dim);
  return {r.values, r.inverse, r.counts};
}
TensorList nonzero_tuple(const Tensor& x) {
  const Tensor positions = nonzero(x);
  TensorList columns;
  for (int64_t d = 0; d < std::max<int64_t>(x.dim(), 1); ++d)
    columns.push_back(x.dim() ? contiguous(select(positions, 1, d)) : zeros({positions.sizes()[0]}, DType::Int64));
  return columns;
}

}  // namespace

void register_unique_ops(std::vector<OpInfo>& ops) {
  register_ops<Unique2, UniqueDim, UniqueConsecutive>(ops);
  register_functions(
      ops,
      {
          {{"argwhere(Tensor input)", kFunction | kMethod}, invoke_fn<&nonzero>},
          {{"_nonzero(Tensor input, *, Tensor? out=None)", kFunction}, invoke_fn<&nonzero>},
          {{"_nonzero_tuple(Tensor input) -> Tensor[]", kFunction}, invoke_fn<&nonzero_tuple>},
          {{"_unique2(Tensor input, bool sorted=True, bool return_inverse=False, bool return_counts=False) -> Tensor[]",
            kFunction},
           invoke_fn<&unique2>},
          {{"_unique_dim(Tensor input, int dim, bool sorted=True, bool return_inverse=False, bool return_counts=False) "
            "-> Tensor[]",
            kFunction},
           invoke_fn<&unique_dim>},
          {{"_unique_consecutive(Tensor input, bool return_inverse=False, bool return_counts=False, int? dim=None) "
            "-> Tensor[]",
            kFunction},
           invoke_fn<&unique_consecutive>},
      });
}

}  // namespace tg
