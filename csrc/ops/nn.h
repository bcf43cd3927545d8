// The nn op API of the C++ core (tapegrad.nn.functional's ops), defined in nn_activation.cpp,
// nn_loss.cpp and nn_layers.cpp. Python (nn/functional.py) owns the spelling (keyword defaults,
// reduction strings); these take plain values. reduction: 0 none, 1 mean, 2 sum.
#pragma once
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"

namespace tg {

Tensor nn_leaky_relu(const Tensor& a, double slope);
Tensor nn_gelu(const Tensor& a, bool tanh_approx);
Tensor nn_silu(const Tensor& a);
Tensor nn_elu(const Tensor& a, double alpha);
Tensor nn_softplus(const Tensor& a, double beta, double threshold);
Tensor nn_softmax(const Tensor& a, int64_t dim);
Tensor nn_log_softmax(const Tensor& a, int64_t dim);
Tensor nn_addmm(const Tensor& bias, const Tensor& m1, const Tensor& m2);
Tensor nn_linear(const Tensor& input, const Tensor& weight, const Tensor& bias);  // bias may be undefined
Tensor nn_mse_loss(const Tensor& x, const Tensor& t, int64_t reduction);
Tensor nn_nll_loss(const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore_index, int64_t reduction);
Tensor nn_nll_loss2d(const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore_index, int64_t reduction);
// F.nll_loss with its checks, for any input rank; cross_entropy with class-index targets is
// nn_nll(log_softmax(x)).
Tensor nn_nll(const Tensor& x, const Tensor& target, const Tensor& w, int64_t ignore_index, int64_t reduction);
Tensor nn_cross_entropy(const Tensor& x, const Tensor& target, const Tensor& w, int64_t ignore_index,
                        int64_t reduction);
Tensor nn_binary_cross_entropy(const Tensor& x, const Tensor& t, const Tensor& w, int64_t reduction);
Tensor nn_bce_with_logits(const Tensor& x, const Tensor& t, const Tensor& w, const Tensor& pw, int64_t reduction);
Tensor nn_layer_norm(const Tensor& x, int64_t norm_dims, const Tensor& w, const Tensor& b, double eps);
Tensor nn_embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx);
// value: exact for an int into an int64 tensor; PyTorch's overflow error where a cannot hold it.
Tensor nn_constant_pad(const Tensor& a, const std::vector<int64_t>& pads, Scalar value);
Tensor nn_index_pad(const Tensor& a, const std::vector<int64_t>& pads, int64_t mode);
Tensor nn_dropout_mask(const Tensor& a, double p);
Tensor nn_one_hot(const Tensor& t, int64_t num_classes);
}  // namespace tg
