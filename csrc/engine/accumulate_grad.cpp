// AccumulateGrad::apply and retained gradients: see engine/accumulate_grad.h.
#include "engine/accumulate_grad.h"

#include <mutex>
#include <utility>

#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "kernels/pointwise.h"
#include "ops/ops.h"

namespace tg {

namespace {
// In-place accumulation is safe only into a buffer whose elements are distinct (no stride-0
// dims) and of the same shape and dtype as the incoming gradient.
bool can_accumulate_in_place(const Tensor& grad, const Tensor& g) {
  if (grad.sizes() != g.sizes() || grad.dtype() != g.dtype()) return false;
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (grad.strides()[d] == 0 && grad.sizes()[d] > 1) return false;
  return true;
}
}  // namespace

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = std::move(grads[0]);
  AutogradMeta& meta = variable_.autograd_meta();
  // The .grad this call replaces dies after the lock is released (it is declared before the
  // lock): under create_graph it holds a graph, and a node whose Python object it keeps needs
  // the GIL to die, which a Python thread holding the GIL and waiting for this lock would never
  // give up.
  Tensor replaced;
  std::lock_guard<std::mutex> lock(meta.grad_mutex);
  // Take the buffer only when nobody else can see it; otherwise copy, so that .grad never
  // aliases a user's tensor or another leaf's gradient.
  if (!meta.grad.defined()) {
    if (claim_private_buffer(g)) meta.grad = std::move(g);
    else meta.grad = GradMode::is_enabled() ? clone(g) : kernels::contiguous_copy(g);
    return {};
  }
  // `.grad` (or `.data`) may have been reassigned to another shape since the graph was built.
  TG_CHECK(meta.grad.sizes() == g.sizes(), Runtime, "output with shape ", shape_str(meta.grad.sizes()),
           " doesn't match the broadcast shape ", shape_str(g.sizes()));
  bool in_place = !GradMode::is_enabled();
  if (in_place) {
    refresh_view_history(meta.grad);  // its history decides, as for any tensor read here
    in_place = !meta.grad.requires_grad() && can_accumulate_in_place(meta.grad, g);
  }
  if (!in_place) {
    // Out of place: under create_graph the old .grad keeps its history untouched.
    Tensor sum = to_dtype(add(meta.grad, g), g.dtype());
    replaced = std::exchange(meta.grad, std::move(sum));
  } else {
    kernels::binary_into(kernels::BinaryOp::Add, meta.grad, meta.grad, g);
    meta.grad.bump_version();
  }
  return {};
}

Tensor apply_tensor_hooks(const TensorHooks& hooks, Tensor grad) {
  if (auto list = hooks.hooks.snapshot())
    for (const auto& h : *list) {
      Tensor replaced = h.fn(grad);
      if (!replaced.defined()) continue;
      validate_hook_result(grad, replaced, h.name);
      grad = replaced;
    }
  if (auto impl = hooks.retains_grad()) {
    // A non-leaf's retained .grad: a private copy the first time, then accumulated.
    Tensor self(impl);
    AutogradMeta& meta = self.autograd_meta();
    Tensor replaced;  // dies after the lock, as in AccumulateGrad::apply
    std::lock_guard<std::mutex> lock(meta.grad_mutex);
    if (!meta.grad.defined())
      meta.grad = GradMode::is_enabled() ? clone(grad) : kernels::contiguous_copy(grad);
    else
      replaced = std::exchange(meta.grad, add(meta.grad, grad));
  }
  return grad;
}

}  // namespace tg
