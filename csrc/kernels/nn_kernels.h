// Kernels behind tapegrad.nn.functional: activations, softmax, gathers by index, layer norm.
// Like the other kernels they know nothing of autograd; the op structs in ops/nn_*.cpp own that.
#pragma once
#include <vector>

#include "core/tensor.h"

namespace tg::kernels::nn {

// Elementwise activations with up to two parameters (slope, alpha, beta/threshold).
enum class Act { LeakyRelu, Gelu, GeluTanh, Silu, Elu, Softplus, Erf };
Tensor activation(Act op, const Tensor& a, double p0 = 0, double p1 = 0);

// softmax / log_softmax of a floating tensor along `dim` (already wrapped), max-subtracted.
Tensor softmax(const Tensor& a, int64_t dim, bool log);

// Negative log likelihood picks: input (N, C, rest...) or (C,), target (N, rest...) or ().
// Returns the per-element losses (target's shape) and writes the summed weight of the
// non-ignored targets to *total_weight. IndexError "Target k is out of bounds." on bad classes.
Tensor nll_pick(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                double* total_weight);
// The constant d(loss)/d(input) pattern: -weight[t] at each picked slot, 0 elsewhere; divided by
// the summed weight of the picked targets when `mean`.
Tensor nll_coef(const Shape& input_sizes, DType dtype, const Tensor& target, const Tensor& weight,
                int64_t ignore_index, bool mean);

// weight[indices] -> indices.sizes + [D]; IndexError "index out of range in self".
Tensor embedding(const Tensor& weight, const Tensor& indices);
// Sums rows of grad (indices.sizes + [D]) into a [num_weights, D] tensor, skipping padding_idx.
Tensor embedding_backward(const Tensor& grad, const Tensor& indices, int64_t num_weights, int64_t padding_idx);

// (x - mean) / sqrt(var + eps) over the last `norm_numel` elements of each row.
Tensor layer_norm(const Tensor& x, int64_t norm_numel, double eps);

// Index-map padding (reflect / replicate / circular): out[o] = a[map_0[o_0], map_1[o_1], ...],
// where an empty map is the identity. scatter_index_map is its adjoint (sums into in_sizes).
using IndexMaps = std::vector<std::vector<int64_t>>;
Tensor gather_index_map(const Tensor& a, const IndexMaps& maps);
Tensor scatter_index_map(const Tensor& grad, const IndexMaps& maps, const Shape& in_sizes);

// Uniform [0, 1) keep mask scaled by 1/(1-p): the dropout multiplier.
Tensor dropout_mask(const Shape& sizes, DType dtype, double p);

}  // namespace tg::kernels::nn
