// Helpers shared by the reduction ops: which dims a reduction covers, and how a reduced
// gradient is brought back to the input's shape.
#pragma once
#include "ops/saved_tensor.h"
#include "ops/ops.h"

namespace tg {

using DimMask = SmallVector<bool, 6>;

// Which dims a reduction covers: all of them for an empty list, else the listed ones
// (wrapped; a dim named twice is an error, as in PyTorch).
inline DimMask dim_mask(const Tensor& a, const DimList& dims) {
  DimMask seen(std::max<int64_t>(a.dim(), 1), false);  // a 0-d tensor has the one dim 0 (or -1)
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, a.dim());
    TG_CHECK(!seen[w], Runtime, "dim ", w, " appears multiple times in the list of dims");
    seen[w] = true;
  }
  if (dims.empty()) return DimMask(a.dim(), true);
  return a.dim() ? seen : DimMask();
}

// The dims a mask covers, as a list.
inline DimList dims_of_mask(const DimMask& mask) {
  DimList dims;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) dims.push_back((int64_t)d);
  return dims;
}

// Drops the reduced (size-1) dims of a keepdim result: a view, no copy.
inline Tensor drop_reduced(const Tensor& kept, const DimMask& mask) {
  Shape sizes, strides;
  for (size_t d = 0; d < mask.size(); ++d) {
    if (mask[d]) continue;
    sizes.push_back(kept.sizes()[d]);
    strides.push_back(kept.strides()[d]);
  }
  return Tensor::view_of(kept, sizes, strides, kept.offset());
}

inline int64_t reduced_count(const Tensor& a, const DimMask& mask) {
  Shape reduced;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) reduced.push_back(a.sizes()[d]);
  return numel_of(reduced);  // no overflow for the huge dims an empty tensor may have
}

// A reduced result with its reduced dims back (size 1), ready to broadcast against the input.
inline Tensor with_kept_dims(const Tensor& r, const DimMask& mask, bool keepdim) {
  Tensor g = r;
  if (!keepdim)
    for (size_t d = 0; d < mask.size(); ++d)
      if (mask[d]) g = unsqueeze(g, (int64_t)d);
  return g;
}

// The gradient of a reduction, brought back to the input's shape: reinsert the reduced dims
// (unless keepdim kept them) and broadcast along them.
inline Tensor expand_reduced(const Tensor& grad, const Shape& input_sizes, const DimMask& mask, bool keepdim) {
  return expand(with_kept_dims(grad, mask, keepdim), input_sizes);
}

// Base of reductions whose backward reads both their input and their output (amax/amin, prod,
// logsumexp): what they save, and saving it.
struct SavesInputAndOutput {
  struct Saved {
    SavedTensor self, out;
    DimMask mask;
    bool keepdim = false;
    auto tensors() { return std::tie(self, out); }
  };
  static void save(Saved& s, const Tensor& a, const DimList& dims, bool keepdim, const Tensor& out) {
    s.self = a;
    s.out = SavedTensor(out, /*is_output=*/true);
    s.mask = dim_mask(a, dims);
    s.keepdim = keepdim;
  }
};

// The gradient of a reduction that picks a value (max(), median()): shared evenly among the
// elements equal to it (NaN counts as equal to a NaN result).
inline Tensor evenly_distributed(const Tensor& grad_kept, const Tensor& x, const Tensor& out_kept, const DimMask& mask) {
  Tensor hit = logical_or(eq(x, out_kept), logical_and(isnan(x), isnan(out_kept)));
  Tensor count = x.dim() == 0 ? ones_like(x) : sum(hit, dims_of_mask(mask), true);
  return where(hit, grad_kept / count, zeros_like(x));
}

}  // namespace tg
