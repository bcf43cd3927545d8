// Value-selecting ops (sort, topk, kthvalue, median(dim), mode, cummax, cummin): their values
// are x's elements at indices found first, without history.
#pragma once
#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"

namespace tg {

// The values of x at `indices` along dim (indices laid out as the kept result): torch's
// value-selecting reductions. Backward sends each gradient to the position it came from
// (scatter_add, so repeated positions, as cummax has, add up).
template <class Op>
struct Picked {
  struct Saved {
    Tensor indices;
    Shape sizes;
    int64_t dim = 0;
    bool keepdim = true;
  };
  static Tensor forward(const Tensor& x, const Tensor& indices, int64_t dim, bool keepdim) {
    if (x.dim() == 0) return kernels::contiguous_copy(x);
    const Tensor kept = gather(x, dim, indices);
    return keepdim ? kept : squeeze(kept, dim);
  }
  static void save(Saved& s, const Tensor& x, const Tensor& indices, int64_t dim, bool keepdim, const Tensor&) {
    s.indices = indices, s.sizes = x.sizes(), s.dim = dim, s.keepdim = keepdim;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    if (s.sizes.empty()) return {grad, Tensor()};
    const Tensor g = s.keepdim ? grad : unsqueeze(grad, s.dim);
    return {scatter_add(zeros(s.sizes, grad.dtype()), s.dim, s.indices, g), Tensor()};
  }
};

}  // namespace tg
