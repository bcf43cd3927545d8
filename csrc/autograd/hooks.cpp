#include "autograd/hooks.h"

#include <algorithm>
#include <atomic>

#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "ops/ops.h"

namespace tg {

uint64_t next_hook_id() {
  static std::atomic<uint64_t> counter{1};
  return counter.fetch_add(1);
}

bool TensorHooks::remove(uint64_t id) {
  auto it = std::find_if(hooks.begin(), hooks.end(), [&](const auto& h) { return h.id == id; });
  if (it == hooks.end()) return false;
  hooks.erase(it);
  return true;
}

Tensor TensorHooks::run(Tensor grad) const {
  for (const auto& h : hooks) {
    Tensor replaced = h.fn(grad);
    if (replaced.defined()) grad = replaced;
  }
  if (auto impl = retains_grad.lock()) {
    // A non-leaf's retained .grad: a private copy the first time, then accumulated.
    Tensor self(impl);
    AutogradMeta& meta = self.autograd_meta();
    std::lock_guard<std::mutex> lock(meta.grad_mutex);
    if (!meta.grad.defined())
      meta.grad = GradMode::is_enabled() ? clone(grad) : kernels::contiguous_copy(grad);
    else
      meta.grad = add(meta.grad, grad);
  }
  return grad;
}

}  // namespace tg
