// The backward engine: Note [Engine] in engine.cpp says how it runs, in order.
#pragma once
#include <optional>

#include "graph/node.h"

namespace tg {

struct BackwardOptions {
  bool keep_graph = false;    // keep saved tensors for another backward
  bool create_graph = false;  // record the backward pass itself (higher-order gradients)
  // When set, only what leads to these edges runs, and the gradient arriving at each is
  // returned. With accumulate, leaves among them still accumulate into .grad
  // (backward(inputs=...)); without, nothing is accumulated (autograd.grad).
  std::vector<Edge> inputs;
  bool accumulate = true;
};

// Runs backward from `roots` (edges into the graph) seeded with `grads` (one per root, already
// shaped like the root's output). Returns one gradient per options.inputs entry.
TensorList run_backward(const std::vector<Edge>& roots, const TensorList& grads, const BackwardOptions& options);

// Checks PyTorch's user errors for roots/grad_outputs and fills in implicit
// gradients: a root that does not require grad, an implicit grad of a non-scalar, a shape
// mismatch between a root and its gradient.
TensorList make_root_grads(const TensorList& roots, const TensorList& grads);

// Tensor.backward(gradient, retain_graph, create_graph, inputs).
void backward(const Tensor& root, const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
              const TensorList& inputs = {});

// autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused).
TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                std::optional<bool> retain_graph, bool create_graph, bool allow_unused);

}  // namespace tg
