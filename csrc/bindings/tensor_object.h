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
PyTypeObject* tensor_type();
void tensor_dealloc(PyObject* self);

// A new reference to `t`'s Python object, made on first use; None for an undefined tensor.
PyObject* tensor_object(const Tensor& t);

// The Tensor inside a tapegrad.Tensor (or subclass) object, without pybind11's generic
// caster, whose type lookup costs as much as a small op's kernel; false for anything else.
bool as_tensor(PyObject* obj, Tensor& out);

}  // namespace tg::py_convert
