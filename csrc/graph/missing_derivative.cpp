#include "graph/missing_derivative.h"

#include "graph/accumulate_grad.h"

namespace tg {

TensorList MissingDerivative::apply(TensorList&&) { TG_ERROR(Runtime, "derivative for ", op_, " is not implemented"); }

Tensor with_missing_derivative(const Tensor& t, const std::string& op, const TensorList& sources) {
  auto node = std::make_shared<MissingDerivative>(op);
  for (const Tensor& s : sources) node->next_edges().push_back(gradient_edge(s));
  node->input_meta().push_back({t.sizes(), t.dtype()});
  Tensor alias = t.detach();
  AutogradMeta& meta = alias.autograd_meta();
  meta.grad_fn = node;
  meta.output_nr = 0;
  return alias;
}

}  // namespace tg
