// Reads a Python key (x[key]) into an IndexKey: ints and other __index__ objects, slices, None,
// Ellipsis, bools, lists, numpy arrays and index tensors, or a tuple of them. Only Python
// objects are turned into C++ values here; what a key means, and its errors, are in
// ops/index.cpp. An error met while reading an item is kept in the item and raised where
// PyTorch meets it (see IndexItem).
#include "bindings/index_key.h"

#include <limits>

#include "kernels/copy.h"
#include "ops/index.h"

namespace tg::bindings {

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();

// obj.__index__() as int64; `overflow` is -1 or 1 when it lies past that range (Python ints
// may be any size).
int64_t index_value(PyObject* obj, int& overflow) {
  auto index = py::reinterpret_steal<py::object>(PyNumber_Index(obj));
  if (!index) throw py::error_already_set();
  overflow = 0;
  return PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
}

// obj.__index__() clamped into [lo, kMax].
int64_t clamped_index(PyObject* obj, int64_t lo) {
  int overflow;
  const int64_t v = index_value(obj, overflow);
  if (overflow) return overflow > 0 ? kMax : lo;
  return std::max(lo, v);
}

// What `read` throws, kept for later (null when it does not throw).
template <class F>
std::exception_ptr error_of(F&& read) {
  try {
    read();
    return nullptr;
  } catch (...) {
    return std::current_exception();
  }
}

void read_int(IndexItem& item, PyObject* obj) {
  item.kind = IndexItem::Kind::Int;
  item.error = error_of([&] {
    int overflow;
    item.value = index_value(obj, overflow);
    TG_CHECK(!overflow, Value, "Overflow when unpacking long long");  // PyTorch's error past int64
  });
}

void read_slice(IndexItem& item, PyObject* obj) {
  auto* s = reinterpret_cast<PySliceObject*>(obj);
  item.kind = IndexItem::Kind::Slice;
  // In PyTorch's order: the step, then the bounds.
  if (s->step != Py_None) {
    item.error = error_of([&] { item.step = clamped_index(s->step, -1); });
    item.error_in_step = item.error != nullptr;
  }
  if (!item.error) item.error = error_of([&] {
    if (s->start != Py_None) item.start = clamped_index(s->start, kMin);
    if (s->stop != Py_None) item.stop = clamped_index(s->stop, kMin);
  });
}

// np.asarray(obj) as an index tensor: bool arrays are masks, everything else int64.
Tensor index_array(PyObject* obj) {
  static py::object* asarray = new py::object(py::module_::import("numpy").attr("asarray"));  // never freed
  auto arr = py::reinterpret_steal<py::array>((*asarray)(py::handle(obj)).release());
  return py_convert::from_array_copy(arr, arr.dtype().kind() == 'b' ? DType::Bool : DType::Int64);
}

void read_item(IndexItem& item, PyObject* obj) {
  if (obj == Py_None) return;  // kind None
  if (obj == Py_Ellipsis) {
    item.kind = IndexItem::Kind::Ellipsis;
  } else if (PyBool_Check(obj)) {  // a mask (0-d), as in PyTorch, not the int 0 or 1
    item.kind = IndexItem::Kind::Tensor;
    item.tensor = kernels::full({}, Scalar::from_bool(obj == Py_True), DType::Bool);
  } else if (PyLong_Check(obj)) {
    read_int(item, obj);
    item.python_int = true;
  } else if (PySlice_Check(obj)) {
    read_slice(item, obj);
  } else if (py_convert::as_tensor(obj, item.tensor)) {
    item.kind = IndexItem::Kind::Tensor;
  } else if (PyList_Check(obj) || py::isinstance<py::array>(obj)) {
    item.kind = IndexItem::Kind::Tensor;
    item.tensor = index_array(obj);
  } else if (PyUnicode_Check(obj)) {
    item.kind = IndexItem::Kind::Invalid;
    item.error = std::make_exception_ptr(Error(ErrorKind::Type, "new(): invalid data type 'str'"));
  } else if (PyIndex_Check(obj)) {
    read_int(item, obj);
  } else {
    item.kind = IndexItem::Kind::Invalid;
    const std::string type = py::str(py::type::handle_of(obj).attr("__name__"));
    item.error = std::make_exception_ptr(
        Error(ErrorKind::Index, "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                                "valid indices (got " + type + ")"));
  }
}

void read_key(IndexKey& k, PyObject* key) {
  if (!PyTuple_Check(key)) {
    k.lone = true;
    read_item(k.items.emplace_back(), key);
    return;
  }
  for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(key); i < n; ++i) read_item(k.items.emplace_back(), PyTuple_GET_ITEM(key, i));
}

}  // namespace

Tensor getitem(const Tensor& self, PyObject* key) {
  IndexKey k;
  read_key(k, key);
  return index_key_get(self, k);
}

void setitem(const Tensor& self, PyObject* key, PyObject* value) {
  IndexKey k;
  read_key(k, key);
  IndexValue v;
  if (!py_convert::as_tensor(value, v.tensor)) {
    // A number is written as self's dtype holds it, converted once: exact for ints (2**63 - 1
    // into int64), PyTorch's overflow error for what the dtype cannot hold (1e30 into int64).
    v.make = [value](const Tensor& self) {
      if (std::optional<Scalar> n = py_convert::to_number(value)) {
        Tensor t = kernels::full({}, *n, self.dtype());
        t.impl()->wrapped_number = true;
        return t;
      }
      Tensor t;
      TG_CHECK(py_convert::to_operand(value, t), Type, "can't assign a ", Py_TYPE(value)->tp_name, " to a Tensor");
      return t;
    };
  }
  index_key_put(self, k, v);
}

}  // namespace tg::bindings
