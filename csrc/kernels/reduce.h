// Reductions over a set of dims, on the strided loop.
#pragma once
#include <utility>

#include "core/tensor.h"

namespace tg::kernels {

// Sums `a` over the dims flagged in `reduce` (one flag per dim of a). The result keeps the
// reduced dims with size 1 (callers squeeze them for keepdim=False) and has a's dtype.
// Floating sums accumulate in double along each inner run.
Tensor sum_keepdim(const Tensor& a, const SmallVector<bool, 6>& reduce);

}  // namespace tg::kernels

namespace tg::kernels {

// Prod, Max, Min keep a's dtype (Max/Min propagate NaN, as numpy); All/Any read a as truth
// values and give bool. Same keepdim layout as sum_keepdim.
enum class ReduceOp { Prod, Max, Min, All, Any };
Tensor reduce_keepdim(const Tensor& a, const SmallVector<bool, 6>& reduce, ReduceOp op);

// Max (or min) of `a` along `dim` and the index where it first occurs (a NaN counts as the
// extreme); both keep `dim` with size 1; indices are int64.
std::pair<Tensor, Tensor> arg_reduce_dim(const Tensor& a, int64_t dim, bool is_max);

}  // namespace tg::kernels
