// A derivative tapegrad cannot compute must fail loudly, never read as zero. When a backward
// formula produces a result that should depend on differentiable inputs but has no history
// (e.g. a custom Function whose backward leaves the graph), the result is re-attached to a
// node that raises "derivative for X is not implemented" if a later backward reaches it.
#pragma once
#include <string>

#include "graph/node.h"

namespace tg {

class MissingDerivative final : public Node {
 public:
  explicit MissingDerivative(std::string op) : op_(std::move(op)) {}
  std::string name() const override { return "NotImplemented"; }
  TensorList apply(TensorList&&) override;

 private:
  std::string op_;
};

// An alias of `t` whose history is a MissingDerivative for `op`, with edges to `sources` (whose
// histories the caller has made current: refresh_view_history, ops/view_history.h).
Tensor with_missing_derivative(const Tensor& t, const std::string& op, const TensorList& sources);

}  // namespace tg
