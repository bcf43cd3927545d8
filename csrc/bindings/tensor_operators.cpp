// Tensor's operators: +, -, *, /, **, @, %, //, the bitwise &, |, ^, ~, <<, >>, unary -, abs()
// and the comparisons, and the in-place forms (+=, ..., &=, <<=, ...).
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
#include <algorithm>
#include <iterator>

#include "bindings/index_key.h"
#include "bindings/module.h"
#include "ops/pointwise_ops.h"

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

// x op= y: in place through apply_inplace (PyTorch's casting rules and errors); an operand that
// is neither a tensor nor a number gives NotImplemented, so Python raises its own TypeError.
// The bitwise ops check, as PyTorch's do, that self can hold the promoted type (PyTorch's canCast:
// no float into an int, no non-bool into a bool) before their kernel refuses floats: `b &= 1.5`
// on a bool b is a casting error. (The arithmetic ones raise their own errors first.)
template <Tensor (*F)(const Tensor&, const Tensor&), bool CastCheckFirst = false>
hint::TensorResult inplace_dunder(const Tensor& self, hint::TensorOrNumber other) {
  Tensor o;
  if (!to_operand_like(other, self, o)) return not_implemented();
  if constexpr (CastCheckFirst) {
    const DType d = result_type(self, o), to = self.dtype();
    TG_CHECK(!(is_floating(d) && !is_floating(to)) && !(d != DType::Bool && to == DType::Bool), Runtime,
             "result type ", dtype_legacy_name(d), " can't be cast to the desired output type ", dtype_legacy_name(to));
  }
  return py::cast(apply_inplace(self, [&](const Tensor& s) { return F(s, o); }));
}

hint::TensorResult ipow_dunder(const Tensor& self, hint::TensorOrNumber other) {
  Tensor o;
  if (!to_operand(other, o)) return not_implemented();
  return py::cast(apply_inplace(self, [&](const Tensor& s) { return py_convert::pow_operand(s, o); }));
}

// ~x is bitwise_not, with PyTorch's TypeError (not bitwise_not's NotImplementedError) for floats.
Tensor invert(const Tensor& t) {
  TG_CHECK(!is_floating(t.dtype()), Type, "~ (operator.invert) is only implemented on integer and Boolean-type tensors");
  return bitwise_not(t);
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

template <Dunder Method>
PyObject* inplace_slot(PyObject* self, PyObject* other) {
  try {
    Tensor t;
    if (!as_tensor(self, t)) Py_RETURN_NOTIMPLEMENTED;
    return Method(t, hint::TensorOrNumber{other}).release().ptr();
  } catch (...) {
    return raise_current();
  }
}

PyObject* invert_slot(PyObject* self) {
  try {
    Tensor t;
    if (!as_tensor(self, t)) Py_RETURN_NOTIMPLEMENTED;
    return py::cast(invert(t)).release().ptr();
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
constexpr binaryfunc kModSlot = binary_slot<dunder<tg::remainder>, reflected_dunder<tg::remainder>>;
constexpr binaryfunc kFloorDivSlot = binary_slot<dunder<tg::floor_divide>, reflected_dunder<tg::floor_divide>>;
constexpr binaryfunc kAndSlot = binary_slot<dunder<tg::bitwise_and>, reflected_dunder<tg::bitwise_and>>;
constexpr binaryfunc kOrSlot = binary_slot<dunder<tg::bitwise_or>, reflected_dunder<tg::bitwise_or>>;
constexpr binaryfunc kXorSlot = binary_slot<dunder<tg::bitwise_xor>, reflected_dunder<tg::bitwise_xor>>;
constexpr binaryfunc kLshiftSlot = binary_slot<dunder<tg::bitwise_left_shift>, reflected_dunder<tg::bitwise_left_shift>>;
constexpr binaryfunc kRshiftSlot =
    binary_slot<dunder<tg::bitwise_right_shift>, reflected_dunder<tg::bitwise_right_shift>>;

// The in-place slots of this file's in-place dunders, in slot order.
struct InplaceSlot {
  binaryfunc PyNumberMethods::*slot;
  binaryfunc fn;
};
constexpr InplaceSlot kInplaceSlots[] = {
    {&PyNumberMethods::nb_inplace_add, inplace_slot<inplace_dunder<tg::add>>},
    {&PyNumberMethods::nb_inplace_subtract, inplace_slot<inplace_dunder<tg::sub>>},
    {&PyNumberMethods::nb_inplace_multiply, inplace_slot<inplace_dunder<tg::mul>>},
    {&PyNumberMethods::nb_inplace_true_divide, inplace_slot<inplace_dunder<tg::div>>},
    {&PyNumberMethods::nb_inplace_remainder, inplace_slot<inplace_dunder<tg::remainder>>},
    {&PyNumberMethods::nb_inplace_floor_divide, inplace_slot<inplace_dunder<tg::floor_divide>>},
    {&PyNumberMethods::nb_inplace_and, inplace_slot<inplace_dunder<tg::bitwise_and, true>>},
    {&PyNumberMethods::nb_inplace_or, inplace_slot<inplace_dunder<tg::bitwise_or, true>>},
    {&PyNumberMethods::nb_inplace_xor, inplace_slot<inplace_dunder<tg::bitwise_xor, true>>},
    {&PyNumberMethods::nb_inplace_lshift, inplace_slot<inplace_dunder<tg::bitwise_left_shift, true>>},
    {&PyNumberMethods::nb_inplace_rshift, inplace_slot<inplace_dunder<tg::bitwise_right_shift, true>>},
};

void install_operator_slots() {
  PyTypeObject* type = py_convert::tensor_type();
  PyNumberMethods* nb = type->tp_as_number;
  nb->nb_add = kAddSlot;
  nb->nb_subtract = kSubSlot;
  nb->nb_multiply = kMulSlot;
  nb->nb_true_divide = kDivSlot;
  nb->nb_matrix_multiply = kMatmulSlot;
  nb->nb_negative = negative_slot;
  nb->nb_remainder = kModSlot;
  nb->nb_floor_divide = kFloorDivSlot;
  nb->nb_and = kAndSlot;
  nb->nb_or = kOrSlot;
  nb->nb_xor = kXorSlot;
  nb->nb_lshift = kLshiftSlot;
  nb->nb_rshift = kRshiftSlot;
  nb->nb_invert = invert_slot;
  for (const InplaceSlot& s : kInplaceSlots) nb->*s.slot = s.fn;
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
         type->tp_as_mapping->mp_ass_subscript == ass_subscript_slot && nb->nb_remainder == kModSlot &&
         nb->nb_floor_divide == kFloorDivSlot && nb->nb_and == kAndSlot && nb->nb_or == kOrSlot &&
         nb->nb_xor == kXorSlot && nb->nb_lshift == kLshiftSlot && nb->nb_rshift == kRshiftSlot &&
         nb->nb_invert == invert_slot &&
         std::all_of(std::begin(kInplaceSlots), std::end(kInplaceSlots),
                     [nb](const InplaceSlot& s) { return nb->*s.slot == s.fn; });
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
      .def("__mod__", &dunder<remainder>, py::arg("other"))
      .def("__rmod__", &reflected_dunder<remainder>, py::arg("other"))
      .def("__floordiv__", &dunder<floor_divide>, py::arg("other"))
      .def("__rfloordiv__", &reflected_dunder<floor_divide>, py::arg("other"))
      .def("__and__", &dunder<bitwise_and>, py::arg("other"))
      .def("__rand__", &reflected_dunder<bitwise_and>, py::arg("other"))
      .def("__or__", &dunder<bitwise_or>, py::arg("other"))
      .def("__ror__", &reflected_dunder<bitwise_or>, py::arg("other"))
      .def("__xor__", &dunder<bitwise_xor>, py::arg("other"))
      .def("__rxor__", &reflected_dunder<bitwise_xor>, py::arg("other"))
      .def("__lshift__", &dunder<bitwise_left_shift>, py::arg("other"))
      .def("__rlshift__", &reflected_dunder<bitwise_left_shift>, py::arg("other"))
      .def("__rshift__", &dunder<bitwise_right_shift>, py::arg("other"))
      .def("__rrshift__", &reflected_dunder<bitwise_right_shift>, py::arg("other"))
      .def("__iadd__", &inplace_dunder<add>, py::arg("other"))
      .def("__isub__", &inplace_dunder<sub>, py::arg("other"))
      .def("__imul__", &inplace_dunder<mul>, py::arg("other"))
      .def("__itruediv__", &inplace_dunder<div>, py::arg("other"))
      .def("__imod__", &inplace_dunder<remainder>, py::arg("other"))
      .def("__ifloordiv__", &inplace_dunder<floor_divide>, py::arg("other"))
      .def("__ipow__", &ipow_dunder, py::arg("other"))
      .def("__iand__", &inplace_dunder<bitwise_and, true>, py::arg("other"))
      .def("__ior__", &inplace_dunder<bitwise_or, true>, py::arg("other"))
      .def("__ixor__", &inplace_dunder<bitwise_xor, true>, py::arg("other"))
      .def("__ilshift__", &inplace_dunder<bitwise_left_shift, true>, py::arg("other"))
      .def("__irshift__", &inplace_dunder<bitwise_right_shift, true>, py::arg("other"))
      .def("__invert__", &invert)
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
