// Conversions between Python objects and the core's types: the Tensor caster (a Tensor
// crosses into Python as its one Python object, see tensor_object.h; an undefined Tensor is
// None), Python numbers as operands, shapes from varargs, and numpy arrays.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings/hints.h"
#include "bindings/tensor_object.h"
#include "core/tensor.h"
#include "ops/ops.h"

namespace py = pybind11;

namespace tg::py_convert {
// The Python object of each dtype (tapegrad.float32, ...), or null before bind_dtypes made them.
PyObject* dtype_object(DType d);
void set_dtype_objects(py::handle dtype_class);
}  // namespace tg::py_convert

namespace pybind11::detail {
// A dtype crosses into Python as its one member object, so `x.dtype is tapegrad.float32` holds
// as in PyTorch (pybind11's enum caster made a new object per call).
template <>
struct type_caster<tg::DType> : type_caster_base<tg::DType> {
  using type_caster_base<tg::DType>::cast;
  static handle cast(const tg::DType& d, return_value_policy policy, handle parent) {
    if (PyObject* member = tg::py_convert::dtype_object(d)) return handle(member).inc_ref();
    return type_caster_base<tg::DType>::cast(d, policy, parent);
  }
  static handle cast(tg::DType&& d, return_value_policy policy, handle parent) {
    return cast(static_cast<const tg::DType&>(d), policy, parent);
  }
};

template <>
struct type_caster<tg::Tensor> {
  PYBIND11_TYPE_CASTER(tg::Tensor, const_name("tapegrad._C.Tensor"));

  bool load(handle src, bool) { return tg::py_convert::as_tensor(src.ptr(), value); }
  static handle cast(const tg::Tensor& t, return_value_policy, handle) {
    return tg::py_convert::tensor_object(t);
  }
};
}  // namespace pybind11::detail

namespace tg::py_convert {

// A Tensor, or a Python bool/int/float as a wrapped 0-d tensor; false when `obj` is neither
// (the caller then returns NotImplemented, and Python raises its own TypeError).
bool to_operand(py::handle obj, Tensor& out);
// to_operand for an arithmetic operator or comparison with `self`. When self is floating, a
// Python number is made directly in self's dtype: the dtype the op computes in anyway (a
// wrapped number never changes a floating tensor's result type), so the op skips a cast and
// an allocation (x * 2.0: 530 -> 400 ns). Ints convert from int64 in one rounding, as the cast
// did.
bool to_operand_like(py::handle obj, const Tensor& self, Tensor& out);

// to_operand, or PyTorch's TypeError naming `fname` and its argument 'other'.
Tensor operand_or_throw(py::handle obj, const char* fname);

// A Python bool, int (within int64: PyTorch's error past it) or float, or a numpy scalar, as
// the Scalar it is (ints exact, never through a double); nullopt for anything else (tensors
// included, which the caller handles).
std::optional<Scalar> to_number(py::handle obj);
// The Python number behind a wrapped 0-d tensor made by to_operand, or the value of any 0-d
// tensor, in its own kind (an int64 stays exact).
Scalar to_scalar(const Tensor& wrapped);
// `self ** exponent` where the exponent is a tensor or a wrapped Python number.
Tensor pow_operand(const Tensor& self, const Tensor& exponent);
// `base ** self` where the base is a tensor or a wrapped Python number.
Tensor rpow_operand(const Tensor& self, const Tensor& base);

// Sizes given as varargs (view(2, 3)) or as one sequence (view((2, 3))).
Shape shape_from_args(const py::args& args, const char* fname);
Shape shape_from_sequence(py::handle seq, const char* fname);
// A dim argument: None, an int, or a tuple/list of ints.
std::optional<DimList> dims_from_object(py::handle obj, const char* fname);

DType dtype_from_numpy(const py::dtype& dt);
py::dtype numpy_dtype(DType d);

// Shares the array's memory (torch.from_numpy); ValueError/TypeError on unsupported arrays.
Tensor from_numpy(py::array arr);
// Shares the tensor's memory with a new ndarray.
py::array to_numpy(const Tensor& t);
// tensor(data) for the common case, without numpy: nested lists/tuples, rectangular, of Python
// floats, ints (within int64) or bools, into float32 (floats, by default), int64 or bool, or
// into `dtype` where no value needs rounding or range checks. Anything else gives nullopt, and
// tensor() takes its general path (numpy, PyTorch's errors).
std::optional<Tensor> tensor_from_numbers(py::handle data, std::optional<DType> dtype);

// Copies any array-like into a new contiguous tensor of `dtype`.
Tensor from_array_copy(py::array arr, DType dtype);

// A strong reference to a Python object that may be dropped from any thread: the deleter
// takes the GIL (hooks and storages can die inside backward, which runs without it).
std::shared_ptr<PyObject> py_ref(py::handle obj);

py::object size_object(const Shape& s);  // a tapegrad.Size
void set_size_class(py::object cls);

}  // namespace tg::py_convert
