// Hooks the engine calls while it runs, in PyTorch's order for one node:
//   tensor hooks (per incoming gradient; then retain_grad) -> node pre-hooks -> apply ->
//   node post-hooks. A leaf's tensor hooks run before its AccumulateGrad adds into .grad.
//
// Note [Hook lists]: backward runs without the GIL, so a hook list may be changed (from another
// thread, or by a hook itself) while the engine walks it. Each list is therefore an immutable
// snapshot, swapped under the list's own mutex by add/remove; the engine reads one snapshot per
// node run and walks it without any lock. As in PyTorch, a hook added while a node runs its
// hooks first runs at that node's next run, and a hook removed meanwhile still runs this once;
// every later run sees the change.
//
// Note [Hook results]: whatever a hook hands back is checked here, before the engine uses it
// (validate_hook_result), with PyTorch's errors: a hook may drop a gradient (undefined) or
// replace it with one of the same dtype and size, never invent one or change the count. Unlike
// PyTorch, a node whose incoming gradients were all dropped is not run, and so neither are the
// hooks below it (PyTorch calls them with None).
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/lazy_box.h"
#include "core/tensor.h"

namespace tg {

// An undefined result keeps the gradient; nullopt keeps all of them.
using TensorHook = std::function<Tensor(const Tensor& grad)>;
using NodePreHook = std::function<std::optional<TensorList>(const TensorList& grad_outputs)>;
using NodePostHook =
    std::function<std::optional<TensorList>(const TensorList& grad_inputs, const TensorList& grad_outputs)>;

// Hook ids are unique per process, so a handle can find and remove its hook later.
uint64_t next_hook_id();

template <class Fn>
struct HookEntry {
  uint64_t id;
  std::string name;  // for error messages: "hook '<name>' has changed the size of value"
  Fn fn;
};

// One list of hooks (Note [Hook lists]).
template <class Fn>
class HookList {
 public:
  using Snapshot = std::shared_ptr<const std::vector<HookEntry<Fn>>>;

  uint64_t add(Fn fn, std::string name) {
    uint64_t id = next_hook_id();
    std::lock_guard<std::mutex> lock(mutex_);
    auto next = list_ ? std::make_shared<std::vector<HookEntry<Fn>>>(*list_)
                      : std::make_shared<std::vector<HookEntry<Fn>>>();
    next->push_back({id, std::move(name), std::move(fn)});
    list_ = std::move(next);
    return id;
  }

  bool remove(uint64_t id) {
    Snapshot old;  // destroyed after the lock is released: a hook's closure may take the GIL
    std::lock_guard<std::mutex> lock(mutex_);
    if (!list_) return false;
    auto next = std::make_shared<std::vector<HookEntry<Fn>>>();
    for (const auto& e : *list_)
      if (e.id != id) next->push_back(e);
    if (next->size() == list_->size()) return false;
    old = std::move(list_);
    if (!next->empty()) list_ = std::move(next);
    return true;
  }

  Snapshot snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return list_;
  }

 private:
  mutable std::mutex mutex_;
  Snapshot list_;  // null while empty
};

// Tensor hooks of one tensor (a leaf keeps these in its AutogradMeta; a non-leaf's live on its
// grad_fn, keyed by output_nr).
class TensorHooks {
 public:
  HookList<TensorHook> hooks;

  void set_retains_grad(const std::weak_ptr<TensorImpl>& t);
  std::shared_ptr<TensorImpl> retains_grad() const;
  // Running them (and adding into a retained .grad, which takes ops) is the engine's job:
  // run_tensor_hooks in engine/accumulate_grad.h.

 private:
  mutable std::mutex mutex_;
  std::weak_ptr<TensorImpl> retains_grad_;  // set by retain_grad(); runs after the other hooks
};

// Checks what a hook named `hook_name` returned for `values` (Note [Hook results]).
void validate_hook_result(const TensorList& values, const TensorList& result, const std::string& hook_name);
void validate_hook_result(const Tensor& value, const Tensor& result, const std::string& hook_name);

}  // namespace tg
