// Tensors made from numbers and shapes, for formulas and bindings: wrapped numbers, zeros,
// ones (no history).
#include "kernels/copy.h"
#include "ops/ops.h"

namespace tg {

Tensor scalar_tensor(double value, DType dtype) {
  Tensor t = kernels::full({}, value, dtype);
  t.impl()->wrapped_number = true;
  return t;
}
Tensor scalar_tensor(Scalar value) {
  Tensor t = kernels::full({}, value, value.dtype());
  t.impl()->wrapped_number = true;
  return t;
}
Tensor zeros(const Shape& sizes, DType dtype) { return kernels::full(sizes, 0.0, dtype); }
Tensor ones(const Shape& sizes, DType dtype) { return kernels::full(sizes, 1.0, dtype); }
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }

}  // namespace tg
