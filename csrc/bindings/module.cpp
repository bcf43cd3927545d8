#include "bindings/module.h"

PYBIND11_MODULE(_C, m) {
  m.doc() = "tapegrad's native core: tensors, kernels, autograd engine";
  tg::bindings::register_errors(m);
  tg::bindings::bind_dtypes(m);
  tg::bindings::bind_tensor(m);
  tg::bindings::bind_ops(m);
  tg::bindings::bind_autograd(m);
  tg::bindings::bind_nn(m);
  tg::bindings::bind_optim(m);
  tg::bindings::bind_runtime(m);
  tg::bindings::bind_testing(m);
  tg::bindings::add_argument_error_fallbacks(m);
}
