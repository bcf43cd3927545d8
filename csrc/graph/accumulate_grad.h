// The node at a leaf: adds the incoming gradient into leaf.grad (never overwrites it).
// The leaf holds this node weakly, the node holds the leaf strongly: no cycle, and every graph
// that uses the leaf shares one accumulator while any of them is alive.
//
// The node is part of the graph (ops point their edges at it), but adding a gradient takes
// ops (add, clone, casts), which sit above this layer: apply is therefore defined with the
// engine, in engine/accumulate_grad.cpp.
#pragma once
#include "graph/node.h"

namespace tg {

class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor variable);
  std::string name() const override { return "torch::autograd::AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;  // engine/accumulate_grad.cpp
  bool is_accumulate_grad() const override { return true; }
  const Tensor& variable() const { return variable_; }

 private:
  Tensor variable_;  // its AutogradMeta::grad_mutex serialises concurrent accumulation
};

// The leaf's accumulator, created on first use.
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);

// The edge through which a gradient reaches `t`: its grad_fn, its accumulator, or nothing.
// It reads t's history as it is: a new node's edges come from fresh_gradient_edge
// (ops/view_history.h), which first remakes a stale view's history.
Edge gradient_edge(const Tensor& t);

}  // namespace tg
