// Where gradients come to rest: a leaf's .grad (AccumulateGrad::apply; the node itself is part
// of the graph, graph/accumulate_grad.h) and a retained non-leaf's .grad (after that tensor's
// hooks). Both add with ops, so they live above the ops layer, with the engine that runs them.
#pragma once
#include "graph/accumulate_grad.h"
#include "graph/hooks.h"
#include "ops/view_history.h"

namespace tg {

// True when nothing but this handle can see t's values: the only reference to the tensor and
// to its storage, memory the storage allocated itself (not a numpy array's, not an alias of a
// user's tensor), contiguous and without history. Backward may then keep it as .grad or add
// into it in place instead of copying.
//
// A view is private too when it is the only thing left holding its base (TBackward's transpose
// of a product, a reduction's squeeze): claim_private_buffer then cuts it from that base, and
// the view becomes the storage's one owner. Without this every Linear weight's gradient was
// copied once more on its way into .grad.
inline bool claim_private_buffer(Tensor& t) {
  if (t.impl_ptr().use_count() != 1) return false;
  TensorImpl& impl = *t.impl();
  if (impl.view_base && impl.view_base.use_count() == 1 && impl.view_base->storage == impl.storage &&
      !impl.view_base->autograd)
    impl.view_base.reset();
  if (t.storage().use_count() != 1 || !t.storage()->owns_memory() || !t.is_contiguous()) return false;
  refresh_view_history(t);
  return !t.requires_grad();
}

// Runs `hooks` on `grad` (one snapshot, Note [Hook lists] in graph/hooks.h), then adds the
// result into the tensor's .grad if retain_grad() asked for it. Returns the (possibly
// replaced) gradient.
Tensor apply_tensor_hooks(const TensorHooks& hooks, Tensor grad);

}  // namespace tg
