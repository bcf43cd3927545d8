// Ops as module functions (tapegrad._C.exp(x)) and as Tensor methods (x.exp()), bound once
// from the same tables. Python-side spelling (varargs sizes, int-or-tuple dims, keyword
// defaults) is parsed here; the semantics are the core's.
#include <cmath>

#include "bindings/module.h"
#include "kernels/copy.h"

namespace tg::bindings {

using py_convert::dims_from_object;
using py_convert::shape_from_args;
using py_convert::operand_or_throw;

namespace {

// Ops that keep their own binding (not yet schema-driven, see Note [Op functions]).
struct UnaryEntry {
  const char* name;
  Tensor (*fn)(const Tensor&);
};
constexpr UnaryEntry kUnary[] = {{"clone", clone}, {"t", t}};

// where(cond, a, b) with either side a Python number: the number takes part in promotion as a
// wrapped number, then is stored in the result dtype with PyTorch's overflow check
// (where(c, float32 x, 1e300) raises, as PyTorch's does).
Tensor where_numbers(const Tensor& cond, py::handle a, py::handle b) {
  Tensor ta = operand_or_throw(a, "where"), tb = operand_or_throw(b, "where");
  const DType d = result_type(ta, tb);
  for (auto [h, t] : {std::pair<py::handle, Tensor*>{a, &ta}, std::pair<py::handle, Tensor*>{b, &tb}}) {
    if (!t->is_wrapped_number()) continue;
    Tensor stored = kernels::full({}, py_convert::to_scalar(*t), d);
    stored.impl()->wrapped_number = true;
    *t = stored;
  }
  return where(cond, ta, tb);
}

Tensor sum_py(const Tensor& self, hint::Dims dim, bool keepdim, std::optional<DType> dtype) {
  Tensor a = dtype ? to_dtype(self, *dtype) : self;
  auto dims = dims_from_object(dim, "sum");
  return dims ? sum(a, *dims, keepdim) : sum(a);
}

Tensor mean_py(const Tensor& self, hint::Dims dim, bool keepdim, std::optional<DType> dtype) {
  Tensor a = dtype ? to_dtype(self, *dtype) : self;
  auto dims = dims_from_object(dim, "mean");
  return dims ? mean(a, *dims, keepdim) : mean(a);
}

Tensor norm_py(const Tensor& self, hint::NormP p, hint::Dims dim, bool keepdim) {
  double order = 2.0;
  if (py::isinstance<py::str>(p)) {
    TG_CHECK(p.cast<std::string>() == "fro", Runtime, "norm: unsupported p='", p.cast<std::string>(), "'");
  } else if (!p.is_none()) {
    order = p.cast<double>();
  }
  return norm(self, order, dims_from_object(dim, "norm"), keepdim);
}

Tensor squeeze_py(const Tensor& self, hint::Dims dim) {
  if (dim.is_none()) return squeeze(self);
  if (py::isinstance<py::tuple>(dim) || py::isinstance<py::list>(dim))
    return squeeze(self, *dims_from_object(dim, "squeeze"));
  return squeeze(self, dim.cast<int64_t>());
}

// Tensor.to(...) takes PyTorch's three overloads: to(dtype), to(device=None, dtype=None) and
// to(other), each followed by non_blocking and copy. One binding with every parameter typed
// loosely takes them all, and the values are sorted out here, so that a mismatch gives PyTorch's
// error instead of pybind11's. The first parameter is `device`, PyTorch's name in the only
// overload that can be called by keyword.
[[noreturn]] void to_invalid_arguments(std::initializer_list<py::handle> given) {
  std::string got;  // PyTorch's spelling, "(float, int)", of the arguments that are not defaults
  for (py::handle a : given) {
    if (a.is_none() || a.ptr() == Py_False) continue;
    std::string type = Py_TYPE(a.ptr())->tp_name;
    got += (got.empty() ? "" : ", ") + type.substr(type.rfind('.') + 1);
  }
  TG_ERROR(Type, "to() received an invalid combination of arguments - got (", got, "), but expected one of:\n"
           " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, bool copy = False, "
           "*, torch.memory_format memory_format = None)\n"
           " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, torch.memory_format "
           "memory_format = None)\n"
           " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, torch.memory_format memory_format "
           "= None)\n");
}

bool is_device_like(py::handle h) {
  return PyUnicode_Check(h.ptr()) || (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr())) || py::hasattr(h, "type");
}

// Checks that `device` names the CPU (the only device tapegrad has), with PyTorch's errors for the
// rest: tapegrad._device.check, which every creation function's device= goes through too. True
// when it names an index ('cpu:0'): PyTorch's tensors have none, so it copies then. The plain
// spellings ('cpu', or the default device object) are answered here without calling Python.
bool check_cpu_device(py::handle device) {
  if (device.is_none()) return false;
  if (PyUnicode_Check(device.ptr()) && PyUnicode_CompareWithASCIIString(device.ptr(), "cpu") == 0) return false;
  static PyObject* check = py::object(py::module_::import("tapegrad._device").attr("check")).release().ptr();
  return py::reinterpret_borrow<py::object>(check)(device).cast<bool>();
}

Tensor to_py(const Tensor& self, hint::ToTarget target, hint::ToDtype dtype_arg, hint::Flag non_blocking,
             hint::Flag copy_arg, hint::NoneOnly memory_format) {
  auto invalid = [&] { to_invalid_arguments({target, dtype_arg, non_blocking, copy_arg, memory_format}); };
  py::object device = py::none(), dtype = dtype_arg, blocking = non_blocking, copy = copy_arg;
  if (py::isinstance<DType>(target) || py::isinstance<TensorImpl>(target)) {
    // to(dtype, non_blocking, copy) / to(other, ...): positional flags arrive one slot early. A
    // bool in the dtype slot is a positional non_blocking, so the next slot is a positional copy;
    // with None there, nothing came by position and the flag slots hold keywords.
    if (!dtype.is_none() && !PyBool_Check(dtype.ptr())) invalid();
    if (!dtype.is_none()) {
      if (!PyBool_Check(blocking.ptr()) || !PyBool_Check(copy.ptr())) invalid();
      copy = py::bool_(blocking.cast<bool>() || copy.cast<bool>()), blocking = dtype;
    }
    dtype = py::isinstance<DType>(target) ? py::object(target)
                                          : py::cast(py::cast<Tensor>(target).dtype());
  } else if (target.is_none() || is_device_like(target)) {
    device = target;
    if (!dtype.is_none() && !py::isinstance<DType>(dtype)) invalid();
  } else {
    invalid();
  }
  if (!PyBool_Check(blocking.ptr()) || !PyBool_Check(copy.ptr()) || !memory_format.is_none()) invalid();
  const bool copy_needed = check_cpu_device(device) || copy.cast<bool>();
  Tensor out = dtype.is_none() ? self : to_dtype(self, dtype.cast<DType>());
  return copy_needed && out.impl() == self.impl() ? clone(self) : out;
}

}  // namespace

void bind_ops(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<TensorImpl, std::shared_ptr<TensorImpl>>>(m.attr("Tensor"));

  for (const auto& e : kUnary) {
    auto fn = e.fn;
    def_both(m, cls, e.name, [fn](const Tensor& a) { return fn(a); });
  }
  cls.def("contiguous", [](const Tensor& a) { return contiguous(a); });  // a method only, as in PyTorch
  m.def("where", [](const Tensor& cond, hint::TensorOrNumber a, hint::TensorOrNumber b) {
    return where_numbers(cond, a, b);
  }, py::arg("condition"), py::arg("input"), py::arg("other"));
  // x.where(condition, y) is where(condition, x, y), as in PyTorch.
  cls.def("where", [](const Tensor& self, const Tensor& cond, hint::TensorOrNumber other) {
    return where_numbers(cond, py::cast(self), other);
  }, py::arg("condition"), py::arg("other"));
  def_both(m, cls, "sum", &sum_py, py::arg("dim") = py::none(), py::arg("keepdim") = false,
           py::arg("dtype") = py::none());
  def_both(m, cls, "mean", &mean_py, py::arg("dim") = py::none(), py::arg("keepdim") = false,
           py::arg("dtype") = py::none());
  def_both(m, cls, "norm", &norm_py, py::arg("p") = 2.0, py::arg("dim") = py::none(),
           py::arg("keepdim") = false);
  def_both(m, cls, "transpose", [](const Tensor& a, int64_t d0, int64_t d1) { return transpose(a, d0, d1); },
           py::arg("dim0"), py::arg("dim1"));
  def_both(m, cls, "swapaxes", [](const Tensor& a, int64_t d0, int64_t d1) { return transpose(a, d0, d1); },
           py::arg("axis0"), py::arg("axis1"));
  def_both(m, cls, "unsqueeze", [](const Tensor& a, int64_t d) { return unsqueeze(a, d); }, py::arg("dim"));
  def_both(m, cls, "squeeze", &squeeze_py, py::arg("dim") = py::none());

  // Varargs-shaped methods: x.view(2, 3) and x.view((2, 3)).
  cls.def("view", [](const Tensor& a, hint::SizeArgs s) { return view(a, shape_from_args(s, "view")); });
  cls.def("reshape", [](const Tensor& a, hint::SizeArgs s) { return reshape(a, shape_from_args(s, "reshape")); });
  cls.def("expand", [](const Tensor& a, hint::SizeArgs s) { return expand(a, shape_from_args(s, "expand")); });
  cls.def("permute", [](const Tensor& a, hint::DimsArgs s) { return permute(a, shape_from_args(s, "permute")); });
  cls.def("expand_as", [](const Tensor& a, const Tensor& o) { return expand(a, o.sizes()); }, py::arg("other"));
  cls.def("view_as", [](const Tensor& a, const Tensor& o) { return view(a, o.sizes()); }, py::arg("other"));
  cls.def("reshape_as", [](const Tensor& a, const Tensor& o) { return reshape(a, o.sizes()); }, py::arg("other"));
  m.def("reshape",
        [](const Tensor& a, hint::Shape s) { return reshape(a, py_convert::shape_from_sequence(s, "reshape")); },
        py::arg("input"), py::arg("shape"));
  m.def("permute",
        [](const Tensor& a, hint::Shape s) { return permute(a, py_convert::shape_from_sequence(s, "permute")); },
        py::arg("input"), py::arg("dims"));
  cls.def_property_readonly("T", [](const Tensor& a) {
    DimList dims;
    for (int64_t d = a.dim() - 1; d >= 0; --d) dims.push_back(d);
    return permute(a, dims);
  });

  // Casts.
  cls.def("to", &to_py, py::arg("device") = py::none(), py::arg("dtype") = py::none(),
          py::arg("non_blocking") = false, py::arg("copy") = false, py::kw_only(),
          py::arg("memory_format") = py::none());
  cls.def("float", [](const Tensor& a) { return to_dtype(a, DType::Float32); });
  cls.def("double", [](const Tensor& a) { return to_dtype(a, DType::Float64); });
  cls.def("long", [](const Tensor& a) { return to_dtype(a, DType::Int64); });
  cls.def("bool", [](const Tensor& a) { return to_dtype(a, DType::Bool); });

  bind_math(m);
  bind_indexing(m);
  bind_op_schemas(m);

  // ---- creation ----
  // value: a Python number, converted once into dtype (an int exact, a value dtype cannot hold
  // refused with PyTorch's overflow error); a bad type gets full()'s TypeError.
  m.def("_full", [](hint::Shape size, hint::Number value, DType dtype) {
    std::optional<Scalar> v = py_convert::to_number(value);
    TG_CHECK(v, Type, "full(): argument 'fill_value' (position 2) must be Number, not ", Py_TYPE(value.ptr())->tp_name);
    return kernels::full(py_convert::shape_from_sequence(size, "full"), *v, dtype);
  }, py::arg("size"), py::arg("value"), py::arg("dtype"));
  m.def("_empty", [](hint::Shape size, DType dtype) {
    return Tensor::empty(py_convert::shape_from_sequence(size, "empty"), dtype);
  }, py::arg("size"), py::arg("dtype"));
  // Bounds as the numbers they are: int bounds count in int64, exactly (arange(2**62, 2**62 + 3)).
  m.def("_arange", [](hint::Number start, hint::Number end, hint::Number step, DType dtype) {
    auto number = [](py::handle h, const char* arg) {
      std::optional<Scalar> v = py_convert::to_number(h);
      TG_CHECK(v, Type, "arange(): argument '", arg, "' must be Number, not ", Py_TYPE(h.ptr())->tp_name);
      return *v;
    };
    return kernels::arange(number(start, "start"), number(end, "end"), number(step, "step"), dtype);
  }, py::arg("start"), py::arg("end"), py::arg("step"), py::arg("dtype"));
  m.def("from_numpy", [](py::object a) {
    TG_CHECK(py::isinstance<py::array>(a), Type, "expected np.ndarray (got ",
             py::str(py::type::handle_of(a).attr("__name__")).cast<std::string>(), ")");
    py::array arr = py::reinterpret_borrow<py::array>(a);
    if (!arr.writeable() &&
        PyErr_WarnEx(PyExc_UserWarning,
                     "The given NumPy array is not writable, and tapegrad does not support non-writable tensors. "
                     "This means writing to this tensor will result in undefined behavior. You may want to copy the "
                     "array to protect its data or make it writable before converting it to a tensor.",
                     1) != 0)
      throw py::error_already_set();  // warnings turned into errors
    return py_convert::from_numpy(arr);
  }, py::arg("ndarray"));
  m.def("_from_array", [](py::array a, DType dtype) { return py_convert::from_array_copy(a, dtype); },
        py::arg("array"), py::arg("dtype"));
  m.def("_tensor_from_numbers",
        [](hint::NestedList data, std::optional<DType> dtype) -> hint::OptTensor {
          std::optional<Tensor> t = py_convert::tensor_from_numbers(data, dtype);
          return t ? py::cast(*t) : py::none();
        },
        py::arg("data"), py::arg("dtype"),
        "tensor(data) for nested lists of Python numbers, or None where tensor() must use numpy.");
  m.def("_dtype_of_numpy", [](py::dtype d) { return py_convert::dtype_from_numpy(d); }, py::arg("dtype"));
}

}  // namespace tg::bindings
