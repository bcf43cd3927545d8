#include "bindings/tensor_object.h"

namespace tg::py_convert {

namespace detail {
PyTypeObject* g_tensor_type = nullptr;
}
using detail::g_tensor_type;

namespace {

using Holder = std::shared_ptr<TensorImpl>;
using pybind11::detail::instance;

// Objects made here are never in pybind11's instance table, have no keep-alive patients and no
// __dict__; a Python subclass's instance, or one pybind11 made, takes pybind11's own path.
bool laid_out_here(PyObject* self) {
  auto* inst = reinterpret_cast<instance*>(self);
  return Py_TYPE(self) == g_tensor_type && inst->simple_layout && !inst->simple_instance_registered &&
         !inst->has_patients;
}

PyObject* new_tensor_object(const Tensor& t) {
  PyObject* self = g_tensor_type->tp_alloc(g_tensor_type, 0);  // zeroed, GC-tracked
  if (!self) throw pybind11::error_already_set();
  auto* inst = reinterpret_cast<instance*>(self);
  inst->simple_layout = true;
  inst->owned = true;
  inst->simple_value_holder[0] = t.impl();
  new (&inst->simple_value_holder[1]) Holder(t.impl_ptr());  // see detail::holder_of
  inst->simple_holder_constructed = true;
  t.impl()->python_object = self;
  return self;
}

}  // namespace

void tensor_dealloc(PyObject* self) {
  auto* inst = reinterpret_cast<instance*>(self);
  Holder* holder = detail::holder_of(self);
  // First of all, so that nothing run by the teardown below can hand this dying object out.
  if (holder && (*holder)->python_object == self) (*holder)->python_object = nullptr;
  if (!laid_out_here(self)) return pybind11::detail::pybind11_object_dealloc(self);

  PyTypeObject* type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (holder) {
    // Dropping the tensor can free a graph whose hooks are Python objects; keep any exception
    // being raised around this deallocation intact, as pybind11 does.
    PyObject *err_type, *err_value, *err_trace;
    PyErr_Fetch(&err_type, &err_value, &err_trace);
    holder->~Holder();
    inst->simple_holder_constructed = false;
    PyErr_Restore(err_type, err_value, err_trace);
  }
  if (inst->weakrefs) PyObject_ClearWeakRefs(self);
  type->tp_free(self);
  Py_DECREF(type);  // an instance of a heap type holds a reference to it
}

void set_tensor_type(pybind11::handle cls) { g_tensor_type = reinterpret_cast<PyTypeObject*>(cls.ptr()); }

PyObject* tensor_object(const Tensor& t) {
  if (!t.defined()) Py_RETURN_NONE;
  if (auto* existing = static_cast<PyObject*>(t.impl()->python_object)) {
    Py_INCREF(existing);
    return existing;
  }
  return new_tensor_object(t);
}

}  // namespace tg::py_convert
