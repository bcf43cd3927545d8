// Fused optimizer updates: one call rewrites a whole parameter (and its state buffers) in place,
// so an optimizer step costs one native call per parameter instead of a chain of tensor ops.
// The arithmetic follows PyTorch's single-tensor update order so results agree to rounding.
// No autograd: these write through raw data, and bump the param's version like any in-place op.
#include "kernels/optim.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/error.h"
#include "kernels/copy.h"

namespace tg::optim {

namespace {
void check(const Tensor& t, const Tensor& param, const char* what) {
  TG_CHECK(t.defined(), Runtime, "optimizer kernel: ", what, " is undefined");
  TG_CHECK(t.dtype() == param.dtype(), Runtime, "optimizer kernel: ", what, " has dtype ",
           dtype_name(t.dtype()), " but the parameter has ", dtype_name(param.dtype()));
  TG_CHECK(t.numel() == param.numel(), Runtime, "optimizer kernel: ", what, " has ", t.numel(),
           " elements but the parameter has ", param.numel());
  TG_CHECK(t.is_contiguous(), Runtime, "optimizer kernel: ", what, " must be contiguous");
}

void check_param(const Tensor& p) {
  TG_CHECK(p.dtype() == DType::Float32 || p.dtype() == DType::Float64, Runtime,
           "optimizer kernel: parameters must be float32 or float64, got ", dtype_name(p.dtype()));
  TG_CHECK(p.is_contiguous(), Runtime, "optimizer kernel: parameter must be contiguous");
}

// Calls f with one std::bool_constant per runtime flag, in order, so that every combination of
// options gets its own loop with no branch inside: the compiler vectorises those (sqrt and
// division included), and did not vectorise one loop testing the options per element.
template <class F>
void with_flags(F&& f) {
  f();
}
template <class F, class... Flags>
void with_flags(F&& f, bool flag, Flags... rest) {
  if (flag) with_flags([&](auto... c) { f(std::true_type{}, c...); }, rest...);
  else with_flags([&](auto... c) { f(std::false_type{}, c...); }, rest...);
}

// The loops below take __restrict pointers: the state buffers are the optimizer's own, and a
// gradient sharing the parameter's memory (p.grad = p) is copied first by `apart`.
Tensor apart(const Tensor& grad, const Tensor& param) {
  const char* g = static_cast<const char*>(grad.raw_data());
  const char* p = static_cast<const char*>(param.raw_data());
  const size_t bytes = size_t(param.numel()) * itemsize(param.dtype());
  const bool overlap = g < p + bytes && p < g + bytes;
  return overlap ? kernels::contiguous_copy(grad) : grad;
}

template <class T>
void sgd_impl(const Tensor& param, const Tensor& grad, const Tensor& buf, const SgdArgs& a) {
  T* __restrict p = param.data<T>();
  const T* __restrict g = grad.data<T>();
  T* __restrict b = buf.defined() ? buf.data<T>() : nullptr;
  const T lr = (T)a.lr, wd = (T)a.weight_decay, mom = (T)a.momentum, damp = (T)(1.0 - a.dampening);
  const int64_t n = param.numel();
  with_flags(
      [&](auto maximize, auto decay, auto momentum, auto first, auto nesterov) {
        for (int64_t i = 0; i < n; ++i) {
          T d = maximize ? -g[i] : g[i];
          if constexpr (decay) d = d + wd * p[i];
          if constexpr (momentum) {
            // The first step seeds the buffer with the gradient itself (no dampening), as PyTorch does.
            b[i] = first ? d : b[i] * mom + damp * d;
            d = nesterov ? d + mom * b[i] : b[i];
          }
          p[i] = p[i] + (-lr) * d;
        }
      },
      a.maximize, a.weight_decay != 0, b != nullptr, b && a.first_step, b && a.nesterov);
}

template <class T>
void adam_impl(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
               const Tensor& vmax, const AdamArgs& a) {
  T* __restrict p = param.data<T>();
  const T* __restrict g = grad.data<T>();
  T* __restrict ea = m.data<T>();
  T* __restrict eas = v.data<T>();
  T* __restrict mx = vmax.defined() ? vmax.data<T>() : nullptr;
  // Scalars are formed in double, then rounded once to T, as PyTorch passes Python floats.
  const double bc1 = 1.0 - std::pow(a.beta1, (double)a.step);
  const double bc2 = 1.0 - std::pow(a.beta2, (double)a.step);
  const T step_size = (T)(a.lr / bc1), bc2_sqrt = (T)std::sqrt(bc2);
  const T w1 = (T)(1.0 - a.beta1), b2 = (T)a.beta2, w2 = (T)(1.0 - a.beta2), eps = (T)a.eps;
  const T wd = (T)a.weight_decay, decay = (T)(1.0 - a.lr * a.weight_decay);
  const int64_t n = param.numel();
  with_flags(
      [&](auto maximize, auto weight_decay, auto decoupled, auto amsgrad) {
        for (int64_t i = 0; i < n; ++i) {
          T gi = maximize ? -g[i] : g[i];
          if constexpr (weight_decay) {
            if constexpr (decoupled) p[i] = p[i] * decay;  // AdamW: shrink the weight, leave the gradient alone
            else gi = gi + wd * p[i];                       // Adam: L2 penalty folded into the gradient
          }
          ea[i] = ea[i] + w1 * (gi - ea[i]);  // lerp toward the gradient
          eas[i] = eas[i] * b2 + w2 * gi * gi;
          T s = eas[i];
          if constexpr (amsgrad) {
            mx[i] = std::max(mx[i], eas[i]);
            s = mx[i];
          }
          const T denom = std::sqrt(s) / bc2_sqrt + eps;
          p[i] = p[i] + (-step_size) * ea[i] / denom;
        }
      },
      a.maximize, a.weight_decay != 0, a.decoupled, mx != nullptr);
}
}  // namespace

void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf, const SgdArgs& a) {
  check_param(param);
  check(grad, param, "grad");
  if (momentum_buf.defined()) check(momentum_buf, param, "momentum_buffer");
  const Tensor g = apart(grad, param);
  if (param.dtype() == DType::Float32) sgd_impl<float>(param, g, momentum_buf, a);
  else sgd_impl<double>(param, g, momentum_buf, a);
  param.bump_version();
  if (momentum_buf.defined()) momentum_buf.bump_version();
}

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const AdamArgs& a) {
  check_param(param);
  check(grad, param, "grad");
  check(exp_avg, param, "exp_avg");
  check(exp_avg_sq, param, "exp_avg_sq");
  if (max_exp_avg_sq.defined()) check(max_exp_avg_sq, param, "max_exp_avg_sq");
  TG_CHECK(a.step >= 1, Runtime, "optimizer kernel: adam step count must be >= 1");
  const Tensor g = apart(grad, param);
  if (param.dtype() == DType::Float32) adam_impl<float>(param, g, exp_avg, exp_avg_sq, max_exp_avg_sq, a);
  else adam_impl<double>(param, g, exp_avg, exp_avg_sq, max_exp_avg_sq, a);
  for (const Tensor* t : {&param, &exp_avg, &exp_avg_sq, &max_exp_avg_sq})
    if (t->defined()) t->bump_version();
}

}  // namespace tg::optim
