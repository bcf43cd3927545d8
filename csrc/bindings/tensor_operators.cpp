// Tensor's operators: +, -, *, /, **, @, unary -, abs() and the comparisons.
//
// Each is bound twice. As a pybind11 method (`Tensor.__add__`), so it can be looked up, called
// explicitly and inherited by Python subclasses such as nn.Parameter. And, for the hottest
// ones, as the CPython type slot itself (nb_add, ...): `a + b` then goes from the interpreter
// straight to binary_slot below, skipping the generic slot that looks `__add__` up in the type
// dict and pybind11's dispatcher that parses the arguments again. That halves the cost of a
// small op from Python (issue 6's W1). The slots are installed last, from tapegrad/__init__.py,
// because assigning any dunder on the type afterwards makes CPython recompute its slot.
// x[key] and x[key] = v get the same treatment (mp_subscript, mp_ass_subscript); the key is
// read and applied in C++ (bindings/index_key.h).
#include "bindings/index_key.h"
#include "bindings/module.h"

namespace tg::bindings {

using py_convert::as_tensor;
using py_convert::to_operand;
using py_convert::to_operand_like;

namespace {

py::object not_implemented() { return py::reinterpret_borrow<py::object>(Py_NotImplemented); }

template <Tensor (*F)(const Tensor&, const Tensor&)>
hint::TensorResult dunder(const Tensor& self, hint::TensorOrNumber other) {
  Tensor o;
  if (!to_operand_like(other, self, o)) return not_implemented();
  return py::cast(F(self, o));
}

template <Tensor (*F)(const Tensor&, const Tensor&)>
hint::TensorResult reflected_dunder(const Tensor& self, hint::TensorOrNumber other) {
  Tensor o;
  if (!to_operand_like(other, self, o)) return not_implemented();
  return py::cast(F(o, self));
}

hint::TensorResult rsub_dunder(const Tensor& self, hint::TensorOrNumber other) {
  Tensor o;
  if (!to_operand_like(other, self, o)) return not_implemented();
  return py::cast(o.is_wrapped_number() ? rsub(self, o) : sub(o, self));
}

// `number / tensor` is reciprocal(tensor) * number in PyTorch (so its node is MulBackward0).
hint::TensorResult rdiv_dunder(const Tensor& self, hint::TensorOrNumber other) {
  Tensor o;
  if (!to_operand_like(other, self, o)) return not_implemented();
  return py::cast(o.is_wrapped_number() ? mul(reciprocal(self), o) : div(o, self));
}

hint::TensorResult pow_dunder(const Tensor& self, hint::TensorOrNumber other) {
  Tensor o;
  if (!to_operand(other, o)) return not_implemented();
  return py::cast(py_convert::pow_operand(self, o));
}

hint::TensorResult rpow_dunder(const Tensor& self, hint::TensorOrNumber other) {
  Tensor o;
  if (!to_operand(other, o)) return not_implemented();
  return py::cast(py_convert::rpow_operand(self, o));
}

// ---- the raw CPython slots ----

// A C++ exception leaving a slot becomes the Python exception the bindings' translator picks.
PyObject* raise_current() {
  try {
    throw;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    py::detail::try_translate_exceptions();
  }
  return nullptr;
}

// Python calls a binary slot as slot(left, right) for both `t + x` and `x + t`: the Tensor
// may be either operand, and the method (or its reflected twin) does the rest.
using Dunder = hint::TensorResult (*)(const Tensor&, hint::TensorOrNumber);

template <Dunder Method, Dunder Reflected>
PyObject* binary_slot(PyObject* left, PyObject* right) {
  try {
    Tensor t;
    if (as_tensor(left, t)) return Method(t, hint::TensorOrNumber{right}).release().ptr();
    if (as_tensor(right, t)) return Reflected(t, hint::TensorOrNumber{left}).release().ptr();
    Py_RETURN_NOTIMPLEMENTED;
  } catch (...) {
    return raise_current();
  }
}

PyObject* negative_slot(PyObject* self) {
  try {
    Tensor t;
    if (!as_tensor(self, t)) Py_RETURN_NOTIMPLEMENTED;
    return py::cast(neg(t)).release().ptr();
  } catch (...) {
    return raise_current();
  }
}

// x[key]. Tensor.__getitem__ is also a C++ method rather than a Python function: CPython 3.11
// would otherwise call a Python __getitem__ straight from the interpreter loop, never reaching
// mp_subscript.
PyObject* subscript_slot(PyObject* self, PyObject* key) {
  try {
    Tensor t;
    if (!as_tensor(self, t)) {
      PyErr_SetString(PyExc_TypeError, "Tensor.__getitem__ needs a Tensor");
      return nullptr;
    }
    return py::cast(getitem(t, key)).release().ptr();
  } catch (...) {
    return raise_current();
  }
}

// x[key] = value.
int ass_subscript_slot(PyObject* self, PyObject* key, PyObject* value) {
  try {
    if (!value) {
      PyErr_SetString(PyExc_TypeError, "Tensor does not support deleting items");
      return -1;
    }
    Tensor t;
    if (!as_tensor(self, t)) {
      PyErr_SetString(PyExc_TypeError, "Tensor.__setitem__ needs a Tensor");
      return -1;
    }
    setitem(t, key, value);
    return 0;
  } catch (...) {
    raise_current();
    return -1;
  }
}

constexpr binaryfunc kAddSlot = binary_slot<dunder<tg::add>, reflected_dunder<tg::add>>;
constexpr binaryfunc kSubSlot = binary_slot<dunder<tg::sub>, rsub_dunder>;
constexpr binaryfunc kMulSlot = binary_slot<dunder<tg::mul>, reflected_dunder<tg::mul>>;
constexpr binaryfunc kDivSlot = binary_slot<dunder<tg::div>, rdiv_dunder>;
constexpr binaryfunc kMatmulSlot = binary_slot<dunder<tg::matmul>, reflected_dunder<tg::matmul>>;

void install_operator_slots() {
  PyTypeObject* type = py_convert::tensor_type();
  PyNumberMethods* nb = type->tp_as_number;
  nb->nb_add = kAddSlot;
  nb->nb_subtract = kSubSlot;
  nb->nb_multiply = kMulSlot;
  nb->nb_true_divide = kDivSlot;
  nb->nb_matrix_multiply = kMatmulSlot;
  nb->nb_negative = negative_slot;
  type->tp_as_mapping->mp_subscript = subscript_slot;
  type->tp_as_mapping->mp_ass_subscript = ass_subscript_slot;
  PyType_Modified(type);
}

bool operator_slots_installed() {
  PyTypeObject* type = py_convert::tensor_type();
  PyNumberMethods* nb = type->tp_as_number;
  return nb->nb_add == kAddSlot && nb->nb_subtract == kSubSlot && nb->nb_multiply == kMulSlot &&
         nb->nb_true_divide == kDivSlot && nb->nb_matrix_multiply == kMatmulSlot &&
         nb->nb_negative == negative_slot && type->tp_as_mapping->mp_subscript == subscript_slot &&
         type->tp_as_mapping->mp_ass_subscript == ass_subscript_slot;
}

}  // namespace

void bind_tensor_operators(py::module_& m, py::class_<TensorImpl, std::shared_ptr<TensorImpl>>& cls) {
  py_convert::set_tensor_type(cls);
  cls.def("__add__", &dunder<add>, py::arg("other"))
      .def("__radd__", &reflected_dunder<add>, py::arg("other"))
      .def("__sub__", &dunder<sub>, py::arg("other"))
      .def("__rsub__", &rsub_dunder, py::arg("other"))
      .def("__mul__", &dunder<mul>, py::arg("other"))
      .def("__rmul__", &reflected_dunder<mul>, py::arg("other"))
      .def("__truediv__", &dunder<div>, py::arg("other"))
      .def("__rtruediv__", &rdiv_dunder, py::arg("other"))
      .def("__pow__", &pow_dunder, py::arg("other"))
      .def("__rpow__", &rpow_dunder, py::arg("other"))
      .def("__matmul__", &dunder<matmul>, py::arg("other"))
      .def("__rmatmul__", &reflected_dunder<matmul>, py::arg("other"))
      .def("__neg__", [](const Tensor& t) { return neg(t); })
      .def("__abs__", [](const Tensor& t) { return abs(t); })
      .def("__eq__", &dunder<eq>, py::arg("other"))
      .def("__ne__", &dunder<ne>, py::arg("other"))
      .def("__lt__", &dunder<lt>, py::arg("other"))
      .def("__le__", &dunder<le>, py::arg("other"))
      .def("__gt__", &dunder<gt>, py::arg("other"))
      .def("__ge__", &dunder<ge>, py::arg("other"))
      .def("__getitem__",
           [](py::handle self, hint::IndexKey key) -> hint::TensorResult {
             Tensor t;
             TG_CHECK(as_tensor(self.ptr(), t), Type, "Tensor.__getitem__ needs a Tensor");
             return py::cast(getitem(t, key.ptr()));
           },
           py::arg("key"))
      .def("__setitem__",
           [](py::handle self, hint::IndexKey key, hint::TensorOrNumber value) {
             Tensor t;
             TG_CHECK(as_tensor(self.ptr(), t), Type, "Tensor.__setitem__ needs a Tensor");
             setitem(t, key.ptr(), value.ptr());
           },
           py::arg("key"), py::arg("value"));
  m.def("_install_operator_slots", &install_operator_slots,
        "Points Tensor's number slots at the direct C++ operators (call after the last dunder "
        "assignment on Tensor).");
  m.def("_operator_slots_installed", &operator_slots_installed);
}

}  // namespace tg::bindings
