// The node at a leaf: adds the incoming gradient into leaf.grad (never overwrites it).
// The leaf holds this node weakly, the node holds the leaf strongly: no cycle, and every graph
// that uses the leaf shares one accumulator while any of them is alive.
#pragma once
#include <mutex>

#include "graph/node.h"

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
  return t.storage().use_count() == 1 && t.storage()->owns_memory() && t.is_contiguous() && !t.requires_grad();
}

// The leaf's accumulator, created on first use.
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);

// The edge through which a gradient reaches `t`: its grad_fn, its accumulator, or nothing.
Edge gradient_edge(const Tensor& t);

}  // namespace tg
