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
  tg::bindings::bind_random(m);
  tg::bindings::bind_testing(m);
  tg::bindings::add_argument_error_fallbacks(m);
  // What `from tapegrad._C import *` gives the package (tapegrad/__init__.py): every public
  // function, the schema-made ones included, and the Tensor and dtype classes.
  pybind11::list exported;
  for (auto item : m.attr("__dict__").cast<pybind11::dict>()) {
    const std::string name = pybind11::str(item.first);
    const bool is_class = PyType_Check(item.second.ptr());
    if (name[0] != '_' && (is_class ? name == "Tensor" || name == "dtype" : PyCallable_Check(item.second.ptr())))
      exported.append(name);
  }
  exported.attr("sort")();
  m.attr("__all__") = exported;
}
