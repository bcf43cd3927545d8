// The pieces of the tapegrad._C module, each bound in its own file.
#pragma once
#include "bindings/convert.h"

namespace tg::bindings {
void register_errors(py::module_& m);
void bind_dtypes(py::module_& m);
void bind_tensor(py::module_& m);
// Tensor's operator dunders and their direct CPython slots (tensor_operators.cpp).
void bind_tensor_operators(py::module_& m, py::class_<TensorImpl, std::shared_ptr<TensorImpl>>& cls);
void bind_ops(py::module_& m);
void bind_math(py::module_& m);      // called by bind_ops
void bind_indexing(py::module_& m);  // called by bind_ops
// Every op schema of the registry as Python functions and methods (op_function.cpp).
void bind_op_schemas(py::module_& m);

using TensorClass = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;
// A hand-written binding as both tapegrad._C.<name> (its tensor named `input`) and Tensor.<name>.
template <class F, class... Extra>
void def_both(py::module_& m, TensorClass& cls, const char* name, F&& fn, const Extra&... extra) {
  m.def(name, fn, py::arg("input"), extra...);
  cls.def(name, fn, extra...);
}
void bind_autograd(py::module_& m);
// The Python object of a node (None for none): the same object while the node lives
// (Note [Node objects] in graph/node.h). bind_autograd.cpp.
py::object node_object(const std::shared_ptr<Node>& node);
// backward(create_graph=True)'s warning about the cycle through .grad, once per process.
void warn_create_graph_backward();
void bind_nn(py::module_& m);
void bind_optim(py::module_& m);  // fused optimizer steps (_C._optim)
void bind_runtime(py::module_& m);  // threads and the allocator
void bind_random(py::module_& m);  // Generator objects and the random fills that take one
void bind_testing(py::module_& m);
// Last: every bound function and method of `m` (and its submodules and classes) raises PyTorch's
// "received an invalid combination of arguments" instead of pybind11's text (argument_errors.cpp).
void add_argument_error_fallbacks(py::module_& m);
}  // namespace tg::bindings
