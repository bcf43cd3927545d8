// Bringing a view's history up to date after its base (or another view of it) was modified in
// place (Note [Views of a base modified in place] in ops/inplace.cpp).
//
// Tensor's autograd accessors (core/tensor.h) are plain reads. Whoever is about to act on a
// tensor's history calls refresh_view_history first, as an explicit step: apply_op and
// apply_inplace for their tensor arguments, SavedTensor when it saves or names a producer,
// the engine for its roots, inputs and .grad buffers, and the bindings before they show
// requires_grad / is_leaf / grad_fn or register hooks. It lives in ops because the new history
// is made by an op (a strided view of the base).
#pragma once
#include "core/tensor.h"
#include "graph/accumulate_grad.h"

namespace tg {

// Cold: a view is stale only after an in-place op on its base; every op's argument check takes
// the fast path below, so the compiler keeps the call out of it.
[[gnu::cold]] void refresh_view_history_slow(const Tensor& view, bool strict);

// Cheap when nothing changed (two loads and a compare). `strict`: raise PyTorch's error for a
// split / unbind piece whose base changed, where the history itself is asked for (grad_fn, a
// new edge), as PyTorch does; plain reads (requires_grad, is_leaf) let it pass.
inline void refresh_view_history(const Tensor& t, bool strict = false) {
  const TensorImpl* i = t.impl();
  if (i && i->view_base && i->view_version != i->storage->version()) refresh_view_history_slow(t, strict);
}

// gradient_edge (graph/accumulate_grad.h) of a tensor whose history is made current first: the
// edge a new node takes to it.
inline Edge fresh_gradient_edge(const Tensor& t) {
  refresh_view_history(t, /*strict=*/true);
  return gradient_edge(t);
}

}  // namespace tg
