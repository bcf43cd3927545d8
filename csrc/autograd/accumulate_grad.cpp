#include "autograd/accumulate_grad.h"

#include <limits>

#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "kernels/pointwise.h"
#include "ops/ops.h"

namespace tg {

AccumulateGrad::AccumulateGrad(Tensor variable) : variable_(std::move(variable)) {
  // Accumulation runs as soon as it is ready, before any other node (as in PyTorch).
  sequence_nr_ = std::numeric_limits<uint64_t>::max();
  input_meta_.push_back({variable_.sizes(), variable_.dtype()});
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = std::move(grads[0]);
  std::lock_guard<std::mutex> lock(mutex_);
  AutogradMeta& meta = variable_.autograd_meta();
  // Take the buffer only when nobody else can see it; otherwise copy, so that .grad never
  // aliases a user's tensor or another leaf's gradient.
  const bool private_buffer = g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 &&
                              g.is_contiguous() && !g.requires_grad();
  if (!meta.grad.defined()) {
    if (private_buffer) meta.grad = std::move(g);
    else meta.grad = GradMode::is_enabled() ? clone(g) : kernels::contiguous_copy(g);
  } else if (GradMode::is_enabled() || meta.grad.requires_grad()) {
    // create_graph (or a .grad that has history): out of place, so the old .grad is untouched.
    meta.grad = add(meta.grad, g);
  } else {
    kernels::binary_into(kernels::BinaryOp::Add, meta.grad, meta.grad, g);
    meta.grad.bump_version();
  }
  return {};
}

std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  static std::mutex creation_mutex;
  std::lock_guard<std::mutex> lock(creation_mutex);
  AutogradMeta& meta = leaf.autograd_meta();
  if (auto existing = meta.grad_accumulator.lock()) return existing;
  auto acc = std::make_shared<AccumulateGrad>(leaf);
  meta.grad_accumulator = acc;
  return acc;
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return {};
  if (const auto& fn = t.grad_fn()) return {fn, t.output_nr()};
  return {grad_accumulator(t), 0};
}

}  // namespace tg
