// The node at a leaf: adds the incoming gradient into leaf.grad (never overwrites it).
// The leaf holds this node weakly, the node holds the leaf strongly: no cycle, and every graph
// that uses the leaf shares one accumulator while any of them is alive.
#pragma once
#include <mutex>

#include "autograd/node.h"

namespace tg {

class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor variable);
  std::string name() const override { return "torch::autograd::AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  bool is_accumulate_grad() const override { return true; }
  const Tensor& variable() const { return variable_; }

 private:
  Tensor variable_;  // its AutogradMeta::grad_mutex serialises concurrent accumulation
};

// True when nothing but this handle can see t's values: the only reference to the tensor and
// to its storage, memory the storage allocated itself (not a numpy array's, not an alias of a
// user's tensor), contiguous and without history. Backward may then keep it as .grad or add
// into it in place instead of copying.
inline bool is_private_buffer(const Tensor& t) {
  return t.impl_ptr().use_count() == 1 && t.storage().use_count() == 1 && t.storage()->owns_memory() &&
         t.is_contiguous() && !t.requires_grad();
}

// The leaf's accumulator, created on first use.
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);

// The edge through which a gradient reaches `t`: its grad_fn, its accumulator, or nothing.
Edge gradient_edge(const Tensor& t);

}  // namespace tg
