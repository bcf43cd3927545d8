// Reductions that pick: max/min (all, and along a dim with indices),
// amax/amin, argmax/argmin, all/any. On ties max()/amax() split the gradient evenly among
// the tied elements; max(dim) sends it to the returned index (PyTorch's rules).
#include <cmath>

#include "kernels/copy.h"
#include "kernels/reduce.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/reduce_util.h"
#include "ops/registry.h"

namespace tg {

using kernels::ReduceOp;

namespace {

Tensor reduce(const Tensor& a, const DimMask& mask, bool keepdim, ReduceOp op) {
  Tensor kept = kernels::reduce_keepdim(a, mask, op);
  return keepdim ? kept : drop_reduced(kept, mask);
}


// PyTorch refuses max()/amax() over zero elements (there is no identity to return).
void check_nonempty(const Tensor& a, const DimList& dims, const char* fname) {
  if (a.numel() != 0) return;
  TG_CHECK(!dims.empty(), Runtime, fname,
           "(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim "
           "with the 'dim' argument.");
  DimMask mask = dim_mask(a, dims);
  for (size_t d = 0; d < mask.size(); ++d)
    TG_CHECK(!mask[d] || a.sizes()[d] != 0, Index, fname, "(): Expected reduction dim ", d,
             " to have non-zero size.");
}

// The gradient of a max/min that the tied (or NaN) elements share evenly.

}  // namespace

// amax/amin (and, over all dims, max()/min(), another node name).
template <bool IsMax, bool All>
struct Amax : SavesInputAndOutput {
  static constexpr const char* name = All ? (IsMax ? "max" : "min") : (IsMax ? "amax" : "amin");
  static constexpr const char* node =
      All ? (IsMax ? "MaxBackward1" : "MinBackward1") : (IsMax ? "AmaxBackward0" : "AminBackward0");
  static Tensor forward(const Tensor& a, const DimList& dims, bool keepdim) {
    DimMask mask = dim_mask(a, dims);
    check_nonempty(a, dims, name);
    return reduce(a, mask, keepdim, IsMax ? ReduceOp::Max : ReduceOp::Min);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    Tensor x = s.self.unpack();
    Tensor g = expand_reduced(grad, x.sizes(), s.mask, s.keepdim);
    return {evenly_distributed(g, x, with_kept_dims(s.out.unpack(), s.mask, s.keepdim), s.mask)};
  }
};

// max(dim)/min(dim): values are differentiable, indices are not; the gradient goes to the index.
struct Kept {
  Tensor values, indices;  // keepdim layout, from one kernel pass
};
template <bool IsMax>
struct MaxDim {
  static constexpr const char* name = IsMax ? "max_dim" : "min_dim";
  static constexpr const char* node = IsMax ? "MaxBackward0" : "MinBackward0";
  struct Saved {
    Tensor indices;
    Shape sizes;
    int64_t dim = 0;
    bool keepdim = false;
  };
  static Tensor forward(const Tensor& a, int64_t dim, bool keepdim, const Kept& k) {
    if (keepdim || a.dim() == 0) return k.values;
    DimMask mask(a.dim(), false);
    mask[dim] = true;
    return drop_reduced(k.values, mask);
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, bool keepdim, const Kept& k, const Tensor&) {
    s.indices = k.indices, s.sizes = a.sizes(), s.dim = dim, s.keepdim = keepdim;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    if (s.sizes.empty()) return {grad};
    Tensor g = s.keepdim ? grad : unsqueeze(grad, s.dim);
    Shape along(s.sizes.size(), 1);
    along[s.dim] = s.sizes[s.dim];
    Tensor positions = view(kernels::arange(Scalar::from_int(0), Scalar::from_int(s.sizes[s.dim]), Scalar::from_int(1), DType::Int64), along);
    Tensor zero = zeros(s.sizes, grad.dtype());
    return {where(eq(positions, s.indices), expand(g, s.sizes), zero)};
  }
};

template <bool IsMax>
ValuesIndices max_dim_impl(const Tensor& a, int64_t dim, bool keepdim) {
  const char* fname = IsMax ? "max" : "min";
  int64_t d = wrap_dim(dim, a.dim());
  if (a.dim() > 0)
    TG_CHECK(a.sizes()[d] != 0, Index, fname, "(): Expected reduction dim ", d, " to have non-zero size.");
  auto [values, indices] = kernels::arg_reduce_dim(a, a.dim() ? d : 0, IsMax);
  Tensor v = apply_op<MaxDim<IsMax>>(a, a.dim() ? d : 0, keepdim, Kept{values, indices});
  Tensor idx = indices;
  if (!keepdim && a.dim() > 0) {
    DimMask mask(a.dim(), false);
    mask[d] = true;
    idx = drop_reduced(indices, mask);
  }
  return {v, idx};
}

ValuesIndices max(const Tensor& a, int64_t dim, bool keepdim) { return max_dim_impl<true>(a, dim, keepdim); }
ValuesIndices min(const Tensor& a, int64_t dim, bool keepdim) { return max_dim_impl<false>(a, dim, keepdim); }
Tensor max(const Tensor& a) { return apply_op<Amax<true, true>>(a, DimList{}, false); }
Tensor min(const Tensor& a) { return apply_op<Amax<false, true>>(a, DimList{}, false); }
Tensor amax(const Tensor& a, const DimList& dims, bool keepdim) { return apply_op<Amax<true, false>>(a, dims, keepdim); }
Tensor amin(const Tensor& a, const DimList& dims, bool keepdim) { return apply_op<Amax<false, false>>(a, dims, keepdim); }

// argmax/argmin over all elements (dim unset) or along one dim; int64, no history.
Tensor argmax_impl(const Tensor& a, std::optional<int64_t> dim, bool keepdim, bool is_max) {
  const char* fname = is_max ? "argmax" : "argmin";
  if (!dim) {
    TG_CHECK(a.numel() != 0, Index, fname, "(): Expected reduction dim to be specified for input.numel() == 0.");
    Tensor flat = kernels::contiguous_copy(a);
    Tensor idx = kernels::arg_reduce_dim(Tensor::view_of(flat, {a.numel()}, {1}, 0), 0, is_max).second;
    Shape kept(a.dim(), 1);
    return keepdim ? Tensor::view_of(idx, kept, contiguous_strides(kept), 0) : Tensor::view_of(idx, {}, {}, 0);
  }
  int64_t d = wrap_dim(*dim, a.dim());
  if (a.dim() > 0)
    TG_CHECK(a.sizes()[d] != 0, Index, fname, "(): Expected reduction dim ", d, " to have non-zero size.");
  Tensor idx = kernels::arg_reduce_dim(a, a.dim() ? d : 0, is_max).second;
  if (keepdim || a.dim() == 0) return idx;
  DimMask mask(a.dim(), false);
  mask[d] = true;
  return drop_reduced(idx, mask);
}
Tensor argmax(const Tensor& a, std::optional<int64_t> dim, bool keepdim) { return argmax_impl(a, dim, keepdim, true); }
Tensor argmin(const Tensor& a, std::optional<int64_t> dim, bool keepdim) { return argmax_impl(a, dim, keepdim, false); }

Tensor all(const Tensor& a, const DimList& dims, bool keepdim) { return reduce(a, dim_mask(a, dims), keepdim, ReduceOp::All); }
Tensor any(const Tensor& a, const DimList& dims, bool keepdim) { return reduce(a, dim_mask(a, dims), keepdim, ReduceOp::Any); }

// aminmax: min and max in one node with two results; each gradient is shared among the
// elements equal to its value (a NaN result, equal to nothing, gives NaN gradients, as torch's).
struct Aminmax {
  static constexpr const char* name = "aminmax";
  static constexpr const char* node = "AminmaxBackward0";
  struct Saved {
    SavedTensor self, min, max;
    DimMask mask;
    bool keepdim = false;
    auto tensors() { return std::tie(self, min, max); }
  };
  static DimList dims_of(const Tensor& a, std::optional<int64_t> dim) {
    if (!dim) {
      TG_CHECK(a.numel() != 0, Runtime,
               "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
      return {};
    }
    const int64_t d = wrap_dim(*dim, a.dim());
    if (a.dim()) TG_CHECK(a.sizes()[d] != 0, Index, "aminmax: Expected reduction dim ", d, " to have non-zero size.");
    return a.dim() ? DimList{d} : DimList{};
  }
  static TensorList forward(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
    const DimList dims = dims_of(a, dim);
    return {amin(a, dims, keepdim), amax(a, dims, keepdim)};
  }
  static void save(Saved& s, const Tensor& a, std::optional<int64_t> dim, bool keepdim, const TensorList& outs) {
    s.self = a, s.min = SavedTensor(outs[0], true), s.max = SavedTensor(outs[1], true);
    s.mask = dim_mask(a, dims_of(a, dim));
    s.keepdim = keepdim;
  }
  static TensorList backward(Saved& s, const TensorList& grads, Needs) {
    const Tensor x = s.self.unpack();
    Tensor total;
    for (int i = 0; i < 2; ++i) {
      if (!grads[i].defined()) continue;
      const Tensor value = with_kept_dims((i ? s.max : s.min).unpack(), s.mask, s.keepdim);
      const Tensor hit = to_dtype(eq(x, value), grads[i].dtype());
      const Tensor count = x.dim() ? sum(hit, dims_of_mask(s.mask), true) : hit;
      const Tensor g = hit * (expand_reduced(grads[i], x.sizes(), s.mask, s.keepdim) / count);
      total = total.defined() ? total + g : g;
    }
    return {total};
  }
};

TensorList aminmax(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
  return apply_multi_output_op<Aminmax>(a, dim, keepdim);
}

void register_extrema_ops(std::vector<OpInfo>& ops) {
  register_ops<Aminmax>(ops);
  register_ops<Amax<true, true>, Amax<false, true>, Amax<true, false>, Amax<false, false>, MaxDim<true>,
               MaxDim<false>>(ops);
  register_functions(ops, {
      {{"amax(Tensor input, int[] dim=(), bool keepdim=False, *, Tensor? out=None)", kFunction | kMethod},
       invoke_fn<&amax>},
      {{"amin(Tensor input, int[] dim=(), bool keepdim=False, *, Tensor? out=None)", kFunction | kMethod},
       invoke_fn<&amin>},
      {{"aminmax(Tensor input, *, int? dim=None, bool keepdim=False) -> (Tensor min, Tensor max)", kFunction | kMethod},
       invoke_fn<&aminmax>},
  });
}

}  // namespace tg
