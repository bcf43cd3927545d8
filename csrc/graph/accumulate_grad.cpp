#include "graph/accumulate_grad.h"

#include <limits>
#include <utility>

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
  if (GradMode::is_enabled() || meta.grad.requires_grad() || !can_accumulate_in_place(meta.grad, g)) {
    // Out of place: under create_graph the old .grad keeps its history untouched.
    Tensor sum = to_dtype(add(meta.grad, g), g.dtype());
    replaced = std::exchange(meta.grad, std::move(sum));
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
