#include "graph/accumulate_grad.h"

#include <limits>
#include <mutex>
#include <utility>

namespace tg {

AccumulateGrad::AccumulateGrad(Tensor variable) : variable_(std::move(variable)) {
  // Accumulation runs as soon as it is ready, before any other node (as in PyTorch).
  sequence_nr_ = std::numeric_limits<uint64_t>::max();
  input_meta_.push_back({variable_.sizes(), variable_.dtype()});
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
