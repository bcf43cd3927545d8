// What the nn op files (nn_activation.cpp, nn_loss.cpp, nn_layers.cpp) share: their includes
// and a few helpers. Each file keeps its op structs in an anonymous namespace, so that names
// like another family's (Addmm, Erf) can never clash across translation units.
#pragma once
#include <algorithm>
#include <cmath>
#include <numbers>

#include "kernels/copy.h"
#include "kernels/nn_kernels.h"
#include "ops/nn.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace knn = kernels::nn;
using knn::Act;

namespace nn_detail {

// A tensor argument that never gets a gradient edge (targets, class weights, indices): apply_op
// only makes edges for Tensor arguments, so wrapping keeps the node's inputs as PyTorch's.
struct NonDiff {
  Tensor t;
};

enum Reduction : int64_t { kNone = 0, kMean = 1, kSum = 2 };

inline Tensor like(const Tensor& x, double v) { return ones_like(x) * v; }  // keeps x's dtype
inline Tensor positive(const Tensor& x) { return gt(x, scalar_tensor(0.0)); }
inline Tensor reduce(const Tensor& t, int64_t reduction) {
  return reduction == kMean ? mean(t) : reduction == kSum ? sum(t) : t;
}

}  // namespace nn_detail
}  // namespace tg
