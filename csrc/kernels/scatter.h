// gather / scatter / scatter_add along one dim, PyTorch's semantics: for every position p of
// `index`, with p[dim] replaced by index[p]: gather: out[p] = self[p'], scatter: self[p'] = src[p],
// scatter_add: self[p'] += src[p]. self is written in place for the scatters.
#pragma once
#include "core/tensor.h"

namespace tg::kernels {

enum class ScatterMode { Gather, Scatter, ScatterAdd };
// `other` is gather's output or the scatters' source (same dtype as self; for the scatters it
// may be a 0-d tensor broadcast to index's shape).
void scatter_gather(ScatterMode mode, const Tensor& self, int64_t dim, const Tensor& index, const Tensor& other,
                    const char* fname);

}  // namespace tg::kernels
