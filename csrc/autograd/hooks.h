// Hooks the engine calls while it runs, in PyTorch's order for one node:
//   tensor hooks (per incoming gradient; then retain_grad) -> node pre-hooks -> apply ->
//   node post-hooks. A leaf's tensor hooks run before its AccumulateGrad adds into .grad.
// Every hook may return a replacement; an undefined result means "keep what you were given".
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "core/tensor.h"

namespace tg {

using TensorHook = std::function<Tensor(const Tensor& grad)>;
using NodePreHook = std::function<TensorList(const TensorList& grad_outputs)>;
using NodePostHook = std::function<TensorList(const TensorList& grad_inputs, const TensorList& grad_outputs)>;

// Hook ids are unique per process, so a handle can find and remove its hook later.
uint64_t next_hook_id();

template <class Fn>
struct HookEntry {
  uint64_t id;
  Fn fn;
};

// Tensor hooks of one tensor (a leaf keeps these in its AutogradMeta; a non-leaf's live on its
// grad_fn, keyed by output_nr).
struct TensorHooks {
  std::vector<HookEntry<TensorHook>> hooks;
  std::weak_ptr<TensorImpl> retains_grad;  // set by retain_grad(); runs after the other hooks

  bool empty() const { return hooks.empty() && retains_grad.expired(); }
  bool remove(uint64_t id);
  // Runs the hooks on `grad` and returns the (possibly replaced) gradient.
  Tensor run(Tensor grad) const;
};

}  // namespace tg
