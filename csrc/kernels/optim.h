// Fused in-place optimizer updates (SGD, Adam/AdamW) on contiguous float tensors.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tg::optim {

struct SgdArgs {
  double lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
  bool first_step = false;  // the momentum buffer is uninitialised and takes the gradient as is
};

struct AdamArgs {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  int64_t step = 1;         // already incremented for this update
  bool maximize = false;
  bool decoupled = false;   // AdamW
};

// momentum_buf / max_exp_avg_sq may be undefined (no momentum / no amsgrad).
void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf, const SgdArgs& a);
void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const AdamArgs& a);

}  // namespace tg::optim
