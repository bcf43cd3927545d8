#include "bindings/convert.h"

#include <cstring>
#include <limits>

#include "kernels/copy.h"

namespace tg::py_convert {

static PyObject* g_dtype_objects[4] = {};  // indexed by DType's value; strong references

PyObject* dtype_object(DType d) { return g_dtype_objects[static_cast<int>(d)]; }

void set_dtype_objects(py::handle dtype_class) {
  for (DType d : {DType::Bool, DType::Int64, DType::Float32, DType::Float64})
    g_dtype_objects[static_cast<int>(d)] = py::object(dtype_class.attr(dtype_name(d))).release().ptr();
}

// A Python int operand as int64, with PyTorch's error past that range.
static int64_t int_operand(PyObject* o) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  TG_CHECK(!overflow, Runtime, "Overflow when unpacking long");
  return v;
}

std::optional<Scalar> to_number(py::handle obj) {
  PyObject* o = obj.ptr();
  if (PyBool_Check(o)) return Scalar::from_bool(o == Py_True);
  if (PyLong_Check(o)) return Scalar::from_int(int_operand(o));
  if (PyFloat_Check(o)) return Scalar(PyFloat_AS_DOUBLE(o));
  if (py::isinstance<TensorImpl>(obj) || py::isinstance<DType>(obj)) return std::nullopt;
  // numpy scalars: np.bool_ and the integer types by value, the floating types as doubles.
  PyObject* type = (PyObject*)Py_TYPE(o);
  const std::string module = py::str(py::handle(type).attr("__module__"));
  if (module != "numpy" || py::isinstance<py::array>(obj)) return std::nullopt;  // scalars only
  if (py::isinstance(obj, py::module_::import("numpy").attr("bool_"))) return Scalar::from_bool(PyObject_IsTrue(o) == 1);
  if (PyIndex_Check(o)) {
    py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(o));
    if (!index) throw py::error_already_set();
    return Scalar::from_int(int_operand(index.ptr()));
  }
  if (Py_TYPE(o)->tp_as_number && Py_TYPE(o)->tp_as_number->nb_float) {
    const double v = PyFloat_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred()) throw py::error_already_set();
    return Scalar(v);
  }
  return std::nullopt;
}

bool to_operand(py::handle obj, Tensor& out) {
  if (as_tensor(obj.ptr(), out)) return true;
  PyObject* o = obj.ptr();
  // The common three first, without to_number's numpy lookups.
  if (PyBool_Check(o)) out = scalar_tensor(Scalar::from_bool(o == Py_True));
  else if (PyLong_Check(o)) out = scalar_tensor(Scalar::from_int(int_operand(o)));  // exact past 2**53
  else if (PyFloat_Check(o)) out = scalar_tensor(PyFloat_AS_DOUBLE(o), DType::Float64);
  // A numpy scalar (np.int64(2), np.float32(0.5)) is a number to PyTorch's operators too; when
  // the tensor declined it, numpy's own operator took it and returned an ndarray.
  // (np.bool_ counts as a float there, as in PyTorch: tensor([True]) + np.bool_(True) is 2.0.)
  else if (std::optional<Scalar> v = to_number(obj)) out = scalar_tensor(v->is_bool() ? Scalar(v->to_double()) : *v);
  else return false;
  return true;
}

Tensor operand_or_throw(py::handle obj, const char* fname) {
  Tensor t;
  TG_CHECK(to_operand(obj, t), Type, fname, "(): argument 'other' must be Tensor or Number, not ",
           Py_TYPE(obj.ptr())->tp_name);
  return t;
}

bool to_operand_like(py::handle obj, const Tensor& self, Tensor& out) {
  PyObject* o = obj.ptr();
  const DType d = self.dtype();
  const bool is_float = PyFloat_Check(o);
  // Bools keep their own dtype: `x - True` is refused for every x, as in PyTorch.
  if (!is_floating(d) || !(is_float || (PyLong_Check(o) && !PyBool_Check(o)))) return to_operand(obj, out);
  const int64_t i = is_float ? 0 : int_operand(o);
  out = Tensor::empty({}, d);
  out.impl()->wrapped_number = true;
  visit_floating(d, [&](auto tag) {
    using T = typename decltype(tag)::type;
    *out.data<T>() = is_float ? T(PyFloat_AS_DOUBLE(o)) : T(i);
  });
  return true;
}

namespace {
enum NumberKinds : unsigned { kBool = 1, kInt = 2, kFloat = 4 };

bool is_nest(PyObject* o) { return PyList_CheckExact(o) || PyTuple_CheckExact(o); }

// Checks that `o` is a rectangular nest of `shape[depth:]` with number leaves, and collects
// which kinds of number it holds; false on anything tensor_from_numbers leaves to numpy.
bool scan_numbers(PyObject* o, const Shape& shape, size_t depth, unsigned& kinds) {
  if (depth == shape.size()) {
    if (PyFloat_CheckExact(o)) kinds |= kFloat;
    else if (PyBool_Check(o)) kinds |= kBool;
    else if (PyLong_CheckExact(o)) {
      int overflow = 0;
      PyLong_AsLongLongAndOverflow(o, &overflow);
      if (overflow) return false;
      kinds |= kInt;
    } else {
      return false;
    }
    return true;
  }
  if (!is_nest(o) || PySequence_Fast_GET_SIZE(o) != shape[depth]) return false;
  PyObject** items = PySequence_Fast_ITEMS(o);
  for (int64_t i = 0; i < shape[depth]; ++i)
    if (!scan_numbers(items[i], shape, depth + 1, kinds)) return false;
  return true;
}

template <class T>
void fill_numbers(PyObject* o, const Shape& shape, size_t depth, T*& out) {
  if (depth == shape.size()) {
    if (PyFloat_CheckExact(o)) *out++ = T(PyFloat_AS_DOUBLE(o));
    else *out++ = T(PyLong_AsLongLong(o));  // bools and ints, range-checked by scan_numbers
    return;
  }
  PyObject** items = PySequence_Fast_ITEMS(o);
  for (int64_t i = 0; i < shape[depth]; ++i) fill_numbers(items[i], shape, depth + 1, out);
}
}  // namespace

std::optional<Tensor> tensor_from_numbers(py::handle data, std::optional<DType> dtype) {
  constexpr size_t kMaxDims = 32;
  Shape shape;
  for (PyObject* o = data.ptr(); is_nest(o); o = PySequence_Fast_ITEMS(o)[0]) {
    if (PySequence_Fast_GET_SIZE(o) == 0 || shape.size() == kMaxDims) return std::nullopt;
    shape.push_back(PySequence_Fast_GET_SIZE(o));
  }
  unsigned kinds = 0;
  if (!scan_numbers(data.ptr(), shape, 0, kinds)) return std::nullopt;
  if ((kinds & kBool) && kinds != kBool) return std::nullopt;  // bools mixed with numbers
  const DType natural = kinds == kBool ? DType::Bool : (kinds & kFloat) ? default_float() : DType::Int64;
  const DType target = dtype.value_or(natural);
  // Exact conversions only: the rest (floats into int64, numbers into bool) have numpy's and
  // PyTorch's rules, which the general path applies.
  const bool exact = target == natural || (natural != DType::Bool && is_floating(target));
  if (!exact) return std::nullopt;
  Tensor out = Tensor::empty(shape, target);
  visit_dtype(target, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* cursor = out.data<T>();
    fill_numbers<T>(data.ptr(), shape, 0, cursor);
  });
  return out;
}

Scalar to_scalar(const Tensor& wrapped) { return kernels::item(wrapped); }

Tensor pow_operand(const Tensor& self, const Tensor& exponent) {
  return exponent.is_wrapped_number() ? pow(self, to_scalar(exponent)) : pow(self, exponent);
}

Tensor rpow_operand(const Tensor& self, const Tensor& base) {
  return base.is_wrapped_number() ? pow(to_scalar(base), self) : pow(base, self);
}

// `arg` names the argument in errors: "size" for shapes, "dim" for dimension lists.
static int64_t to_int(py::handle h, const char* fname, size_t pos, const char* arg = "size") {
  py::object index;
  if (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr())) {
    index = py::reinterpret_borrow<py::object>(h);
  } else if (PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr()) && !py::isinstance<TensorImpl>(h) &&
             !py::isinstance<DType>(h)) {
    index = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
    if (!index) throw py::error_already_set();  // __index__ raised
  }
  if (index) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    TG_CHECK(!overflow, Type, fname, "(): argument '", arg, "' failed to unpack the object at pos ", pos + 1,
             " with error \"Overflow when unpacking long long\"");
    return v;
  }
  TG_ERROR(Type, fname, "(): argument '", arg, "' must be tuple of ints, but found element of type ",
           Py_TYPE(h.ptr())->tp_name, " at pos ", pos);
}

Shape shape_from_sequence(py::handle seq, const char* fname) {
  Shape s;
  size_t i = 0;
  for (py::handle item : seq) s.push_back(to_int(item, fname, i++));
  return s;
}

Shape shape_from_args(const py::args& args, const char* fname) {
  if (args.size() == 0) {  // PyTorch's argument parser: sizes are required
    const std::string f = fname;
    TG_CHECK(f != "view", Type, "view() received an invalid combination of arguments - got (), but expected one of:\n"
             " * (torch.dtype dtype)\n * (tuple of ints size)\n");
    const char* arg = f == "reshape" ? "shape" : f == "expand" ? "size" : f == "repeat" ? "repeats" : "dims";
    TG_ERROR(Type, fname, "() missing 1 required positional arguments: \"", arg, "\"");
  }
  if (args.size() == 1 && (py::isinstance<py::tuple>(args[0]) || py::isinstance<py::list>(args[0])))
    return shape_from_sequence(args[0], fname);
  Shape s;
  for (size_t i = 0; i < args.size(); ++i) s.push_back(to_int(args[i], fname, i));
  return s;
}

std::optional<DimList> dims_from_object(py::handle obj, const char* fname) {
  if (obj.is_none()) return std::nullopt;
  DimList dims;
  if (py::isinstance<py::tuple>(obj) || py::isinstance<py::list>(obj)) {
    size_t i = 0;
    for (py::handle item : obj) dims.push_back(to_int(item, fname, i++, "dim"));
    return dims;
  }
  dims.push_back(to_int(obj, fname, 0, "dim"));
  return dims;
}

DType dtype_from_numpy(const py::dtype& dt) {
  char kind = dt.kind();
  size_t size = dt.itemsize();
  if (kind == 'f' && size == 4) return DType::Float32;
  if (kind == 'f' && size == 8) return DType::Float64;
  if (kind == 'i' && size == 8) return DType::Int64;
  if (kind == 'b') return DType::Bool;
  TG_ERROR(Type, "can't convert np.ndarray of type numpy.", py::str(dt.attr("type").attr("__name__")).cast<std::string>(),
           ". The only supported types are: float64, float32, int64, and bool.");
}

py::dtype numpy_dtype(DType d) {
  switch (d) {
    case DType::Bool: return py::dtype::of<bool>();
    case DType::Int64: return py::dtype::of<int64_t>();
    case DType::Float32: return py::dtype::of<float>();
    case DType::Float64: return py::dtype::of<double>();
  }
  return py::dtype::of<float>();
}

std::shared_ptr<PyObject> py_ref(py::handle obj) {
  Py_INCREF(obj.ptr());
  return std::shared_ptr<PyObject>(obj.ptr(), [](PyObject* o) {
    if (!Py_IsInitialized()) return;
    py::gil_scoped_acquire gil;
    Py_DECREF(o);
  });
}

Tensor from_numpy(py::array arr) {
  DType dtype = dtype_from_numpy(arr.dtype());
  TG_CHECK(arr.dtype().byteorder() != '>', Value,
           "given numpy array has byte order different from the native byte order. Conversion between "
           "byte orders is currently not supported.");
  const int64_t item = (int64_t)itemsize(dtype);
  Shape sizes, strides;
  int64_t hi = 0;  // byte offset of the last element
  for (py::ssize_t d = 0; d < arr.ndim(); ++d) {
    int64_t st = arr.strides(d);
    TG_CHECK(st >= 0, Value,
             "At least one stride in the given numpy array is negative, and tensors with negative strides are "
             "not currently supported. (You can probably work around this by making a copy of your array  with "
             "array.copy().) ");
    TG_CHECK(st % item == 0, Value,
             "given numpy array strides not a multiple of the element byte size. Copy the numpy array to "
             "reallocate the memory.");
    sizes.push_back(arr.shape(d));
    strides.push_back(st / item);
    if (arr.shape(d) > 0) hi += (arr.shape(d) - 1) * st;
  }
  size_t nbytes = arr.size() == 0 ? 0 : (size_t)hi + item;
  auto storage = Storage::wrap(const_cast<void*>(arr.data()), nbytes, py_ref(arr));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::move(storage);
  impl->sizes = sizes;
  impl->strides = strides;
  impl->dtype = dtype;
  impl->refresh_layout();
  return Tensor(std::move(impl));
}

py::array to_numpy(const Tensor& t) {
  const int64_t item = (int64_t)itemsize(t.dtype());
  std::vector<py::ssize_t> shape(t.sizes().begin(), t.sizes().end());
  std::vector<py::ssize_t> strides;
  for (size_t d = 0; d < t.strides().size(); ++d) {
    // A dim of size <= 1 never steps, and an empty array never reads: their strides may be
    // anything (an empty view's may even wrap around), so do not scale them.
    strides.push_back(t.sizes()[d] <= 1 || t.numel() == 0 ? 0 : t.strides()[d] * item);
  }
  auto* keep = new std::shared_ptr<Storage>(t.storage());
  py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<Storage>*>(p); });
  return py::array(numpy_dtype(t.dtype()), shape, strides, t.raw_data(), base);
}

Tensor from_array_copy(py::array arr, DType dtype) {
  // Other integer widths and float16 are widened to a dtype tapegrad has before copying.
  py::array src;
  // uint64 values past int64's range have no int64 (PyTorch 2.13 keeps them as uint64, a dtype
  // tapegrad does not have): refuse them rather than wrap 2**64 - 1 to -1.
  if (arr.dtype().kind() == 'u' && arr.dtype().itemsize() == 8 && arr.size() > 0)
    TG_CHECK(py::int_(arr.attr("max")()).cast<uint64_t>() <= (uint64_t)std::numeric_limits<int64_t>::max(), Runtime,
             "value cannot be converted to type int64 without overflow");
  if (arr.dtype().kind() == 'i' || arr.dtype().kind() == 'u')
    src = py::array::ensure(arr.attr("astype")("int64"), py::array::c_style);
  else if (arr.dtype().kind() == 'f' && arr.dtype().itemsize() == 2)
    src = py::array::ensure(arr.attr("astype")("float32"), py::array::c_style);
  else
    src = py::array::ensure(arr, py::array::c_style);
  Tensor view = from_numpy(src);
  Tensor out = Tensor::empty(view.sizes(), dtype);
  kernels::copy_into(out, view);
  return out;
}

static py::object& size_class() {
  static py::object* cls = new py::object();  // leaked on purpose: outlives interpreter teardown order
  return *cls;
}

void set_size_class(py::object cls) {
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  // size_object fills instances directly, which is right only for a plain tuple subclass.
  TG_CHECK(PyType_Check(cls.ptr()) && PyType_IsSubtype(type, &PyTuple_Type) && type->tp_new == PyTuple_Type.tp_new &&
               type->tp_init == PyTuple_Type.tp_init,
           Type, "the Size class must be a tuple subclass without __new__ or __init__");
  size_class() = std::move(cls);
}

py::object size_object(const Shape& s) {
  // Size is a tuple subclass with no constructor of its own: its instance is allocated and
  // filled as a tuple is, instead of building a tuple and calling the class on it (half the
  // cost of `x.shape`).
  auto* type = reinterpret_cast<PyTypeObject*>(size_class() ? size_class().ptr() : (PyObject*)&PyTuple_Type);
  auto out = py::reinterpret_steal<py::object>(type->tp_alloc(type, (Py_ssize_t)s.size()));
  if (!out) throw py::error_already_set();
  for (size_t i = 0; i < s.size(); ++i) {
    PyObject* dim = PyLong_FromLongLong(s[i]);
    if (!dim) throw py::error_already_set();
    PyTuple_SET_ITEM(out.ptr(), (Py_ssize_t)i, dim);
  }
  return out;
}

}  // namespace tg::py_convert
