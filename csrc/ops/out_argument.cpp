// PyTorch's out= argument, for every op whose schema has one (Note [Op schemas]): the op runs
// as usual, then its result is written into `out`, which is resized to the result's shape and
// keeps its own dtype where the result can be cast to it.
#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "ops/ops.h"

namespace tg {

namespace {
// PyTorch's canCast: no floating result into an integer out, no non-bool result into a bool one.
bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  return !(from != DType::Bool && to == DType::Bool);
}
}  // namespace

void check_out_argument(const Tensor& out, bool any_input_requires_grad, const char* fname) {
  TG_CHECK(!GradMode::is_enabled() || !(any_input_requires_grad || out.requires_grad()), Runtime, fname,
           "(): functions with out=... arguments don't support automatic differentiation, but one of the "
           "arguments requires grad.");
}

Tensor write_out(const Tensor& out, const Tensor& result) {
  TG_CHECK(can_cast(result.dtype(), out.dtype()), Runtime, "result type ", dtype_legacy_name(result.dtype()),
           " can't be cast to the desired output type ", dtype_legacy_name(out.dtype()));
  if (out.sizes() != result.sizes()) {  // resized as PyTorch does: new memory of the result's shape
    Tensor fresh = Tensor::empty(result.sizes(), out.dtype());
    TensorImpl* impl = out.impl();
    impl->storage = fresh.storage();
    impl->sizes = fresh.sizes();
    impl->strides = fresh.strides();
    impl->offset = 0;
    impl->refresh_layout();
  }
  kernels::copy_into(out, result);
  out.bump_version();
  return out;
}

}  // namespace tg
