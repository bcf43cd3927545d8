// The backward engine. See DESIGN.md "The engine, in order" and the notes in engine.cpp.
#pragma once
#include <optional>

#include "autograd/node.h"

namespace tg {

// Runs backward from `roots` (edges into the graph) seeded with `grads` (one per root,
// already shaped like the root's output). `keep_graph` keeps saved tensors for another
// backward; `create_graph` records the backward pass itself so it can be differentiated.
void run_backward(const std::vector<Edge>& roots, const TensorList& grads, bool keep_graph,
                  bool create_graph);

// Tensor.backward(gradient, retain_graph, create_graph): checks the three user errors of
// API.md section 3 (no grad_fn, implicit grad of a non-scalar, gradient shape) first.
void backward(const Tensor& root, const Tensor& gradient, std::optional<bool> retain_graph,
              bool create_graph);

}  // namespace tg
