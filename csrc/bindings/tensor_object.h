// One Python object per tensor: how a Tensor becomes its tapegrad._C.Tensor object, how that
// object is found again, and how it is freed.
//
// pybind11 would keep every instance in a global table keyed by the C++ pointer, searched on
// each return to Python, and look the type's layout up in another table on every allocation
// and deallocation: together about an eighth of `a + b` on small tensors. A TensorImpl instead
// points back at its Python object (TensorImpl::python_object), and the objects are laid out
// and freed here directly, in pybind11's own instance layout, so every pybind11 method and
// caster still reads them.
#pragma once
#include <pybind11/pybind11.h>

#include "core/tensor.h"

namespace tg::py_convert {

// The bound class, registered once when it is bound; its tp_dealloc is tensor_dealloc.
void set_tensor_type(pybind11::handle cls);
namespace detail {
extern PyTypeObject* g_tensor_type;
}
inline PyTypeObject* tensor_type() { return detail::g_tensor_type; }
void tensor_dealloc(PyObject* self);

// A new reference to `t`'s Python object, made on first use; None for an undefined tensor.
PyObject* tensor_object(const Tensor& t);

// The Tensor inside a tapegrad.Tensor (or subclass) object, without pybind11's generic
// caster, whose type lookup costs as much as a small op's kernel; false for anything else.
// Inline for the common case, an object of the class itself, which every operand check of
// every operator makes.
bool as_tensor_of_subclass(PyObject* obj, Tensor& out);
inline bool as_tensor(PyObject* obj, Tensor& out) {
  if (Py_TYPE(obj) != tensor_type()) return as_tensor_of_subclass(obj, out);
  auto* inst = reinterpret_cast<pybind11::detail::instance*>(obj);
  if (!inst->simple_holder_constructed) return false;  // the class has one C++ base: simple layout
  out = Tensor(*reinterpret_cast<std::shared_ptr<TensorImpl>*>(&inst->simple_value_holder[1]));
  return true;
}

}  // namespace tg::py_convert
