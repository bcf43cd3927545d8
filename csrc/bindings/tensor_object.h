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

namespace detail {
// The holder inside a Tensor object, or null while none is constructed. pybind11 gives an
// instance of a class with one C++ base (Tensor, and its Python subclasses) its "simple"
// layout: slot 0 points at the value and the holder follows it.
inline std::shared_ptr<TensorImpl>* holder_of(PyObject* obj) {
  auto* inst = reinterpret_cast<pybind11::detail::instance*>(obj);
  if (!inst->simple_layout) {
    auto vh = inst->get_value_and_holder();
    return vh.holder_constructed() ? &vh.holder<std::shared_ptr<TensorImpl>>() : nullptr;
  }
  if (!inst->simple_holder_constructed) return nullptr;
  return reinterpret_cast<std::shared_ptr<TensorImpl>*>(&inst->simple_value_holder[1]);
}
}  // namespace detail

// The Tensor inside a tapegrad.Tensor (or subclass) object, without pybind11's generic
// caster, whose type lookup costs as much as a small op's kernel; false for anything else.
// Inline: every operand check of every operator makes it.
inline bool as_tensor(PyObject* obj, Tensor& out) {
  if (!tensor_type() || !PyObject_TypeCheck(obj, tensor_type())) return false;
  auto* holder = detail::holder_of(obj);
  if (!holder) return false;
  out = Tensor(*holder);
  return true;
}

}  // namespace tg::py_convert
