// Reductions over a set of dims, on the strided loop.
#pragma once
#include "core/tensor.h"

namespace tg::kernels {

// Sums `a` over the dims flagged in `reduce` (one flag per dim of a). The result keeps the
// reduced dims with size 1 (callers squeeze them for keepdim=False) and has a's dtype.
// Floating sums accumulate in double along each inner run.
Tensor sum_keepdim(const Tensor& a, const SmallVector<bool, 6>& reduce);

}  // namespace tg::kernels
