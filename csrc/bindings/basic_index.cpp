#include "bindings/basic_index.h"

#include <limits>
#include <utility>

#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "ops/view_history.h"

namespace tg::bindings {

namespace {

// obj.__index__() as int64; `overflow` is -1 or 1 when it lies past that range (Python ints
// may be any size).
int64_t index_value(py::handle obj, int& overflow) {
  auto index = py::reinterpret_steal<py::object>(PyNumber_Index(obj.ptr()));
  if (!index) throw py::error_already_set();
  overflow = 0;
  return PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
}

// obj.__index__() clamped into [lo, hi].
int64_t clamped_index(py::handle obj, int64_t lo, int64_t hi) {
  int overflow;
  const int64_t v = index_value(obj, overflow);
  if (overflow) return overflow > 0 ? hi : lo;
  return std::min<int64_t>(hi, std::max<int64_t>(lo, v));
}

// obj.__index__() as int64, with PyTorch's error past that range.
int64_t exact_index(py::handle obj) {
  int overflow;
  const int64_t v = index_value(obj, overflow);
  TG_CHECK(!overflow, Value, "Overflow when unpacking long long");
  return v;
}

// A slice's step: 1 when absent, else checked to be positive (PyTorch has no negative steps).
int64_t slice_step(PySliceObject* s) {
  if (s->step == Py_None) return 1;
  const int64_t step = clamped_index(s->step, -1, std::numeric_limits<int64_t>::max());
  TG_CHECK(step != 0, Value, "slice step cannot be zero");
  TG_CHECK(step > 0, Value, "step must be greater than zero");
  return step;
}

bool is_lone_int(py::handle key) { return PyLong_Check(key.ptr()) && !PyBool_Check(key.ptr()); }

}  // namespace

void check_index_key(const Tensor& self, py::handle key, int64_t ellipses, int64_t used) {
  // PyTorch accepts several ellipses, with results that depend on where index tensors sit;
  // tapegrad refuses them as numpy does.
  TG_CHECK(ellipses <= 1, Index, "an index can only have a single ellipsis ('...')");
  // PyTorch's order: a lone slice's step and a lone int are looked at before the dims.
  if (PySlice_Check(key.ptr())) slice_step(reinterpret_cast<PySliceObject*>(key.ptr()));
  if (is_lone_int(key)) {
    exact_index(key);
    TG_CHECK(self.dim() > 0, Index,
             "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert "
             "a 0-dim tensor to a number");
  }
  TG_CHECK(used <= self.dim(), Index, "too many indices for tensor of dimension ", self.dim());
}

Tensor index_with_int(const Tensor& t, int64_t dim, py::handle item) {
  const int64_t i = exact_index(item), size = t.size(dim);
  TG_CHECK(-size <= i && i < size, Index, "index ", i, " is out of bounds for dimension ", dim, " with size ", size);
  return select(t, dim, i);
}

Tensor index_with_slice(const Tensor& t, int64_t dim, py::handle item) {
  auto* s = reinterpret_cast<PySliceObject*>(item.ptr());
  const int64_t step = slice_step(s), size = t.size(dim);
  // Bounds past the dim (or past int64) mean "past the end": clamped, as PyTorch does.
  auto bound = [&](PyObject* b) -> std::optional<int64_t> {
    if (b == Py_None) return std::nullopt;
    return clamped_index(b, -size, size);
  };
  return slice(t, dim, bound(s->start), bound(s->stop), step);
}

namespace {
// A key's items as an array (a lone item is a key of one).
std::pair<PyObject* const*, Py_ssize_t> key_items(PyObject* const& key) {
  if (PyTuple_Check(key)) return {&PyTuple_GET_ITEM(key, 0), PyTuple_GET_SIZE(key)};
  return {&key, 1};
}
}  // namespace

bool is_basic_key(PyObject* key) {
  auto [items, n] = key_items(key);
  for (Py_ssize_t k = 0; k < n; ++k) {
    PyObject* item = items[k];
    // Tensors, lists, arrays and bools (masks, not the ints 0/1) are the Python indexer's.
    if (!PyLong_CheckExact(item) && !PySlice_Check(item) && item != Py_None && item != Py_Ellipsis) return false;
  }
  return true;
}

namespace {
// self[key] for a key is_basic_key accepted.
Tensor apply_basic_key(const Tensor& self, PyObject* key) {
  auto [items, n] = key_items(key);
  int64_t ellipses = 0, used = 0;
  for (Py_ssize_t k = 0; k < n; ++k) {
    if (items[k] == Py_Ellipsis) ++ellipses;
    else if (items[k] != Py_None) ++used;
  }
  check_index_key(self, key, ellipses, used);
  Tensor result = self;
  int64_t dim = 0;
  for (Py_ssize_t k = 0; k < n; ++k) {
    PyObject* item = items[k];
    if (item == Py_None) {
      result = unsqueeze(result, dim++);
    } else if (item == Py_Ellipsis) {
      dim += self.dim() - used;
    } else if (PySlice_Check(item)) {
      result = index_with_slice(result, dim++, item);
    } else {
      result = index_with_int(result, dim, item);
    }
  }
  // x[...] and x[()] are still a new tensor (a view), never x itself.
  return result.impl() == self.impl() ? view(self, self.sizes()) : result;
}
}  // namespace

bool basic_getitem(const Tensor& self, PyObject* key, Tensor& out) {
  if (!is_basic_key(key)) return false;
  out = apply_basic_key(self, key);
  return true;
}

Tensor assigned_value(py::handle value, const Tensor& self) {
  // A number is written as self's dtype holds it, converted once: exact for ints (2**63 - 1
  // into int64), PyTorch's overflow error for what the dtype cannot hold (1e30 into int64).
  if (std::optional<Scalar> n = py_convert::to_number(value)) {
    Tensor t = kernels::full({}, *n, self.dtype());
    t.impl()->wrapped_number = true;
    return t;
  }
  Tensor t;
  TG_CHECK(py_convert::to_operand(value, t), Type, "can't assign a ", Py_TYPE(value.ptr())->tp_name, " to a Tensor");
  return t;
}

void put_through_view(const Tensor& self, const Tensor& view, const Tensor& base, py::handle value) {
  refresh_view_history(self);
  TG_CHECK(!(self.is_leaf() && self.requires_grad() && GradMode::is_enabled()), Runtime,
           "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  const Geometry g = geometry_of(view, base);
  const Tensor v = assigned_value(value, self);
  apply_inplace(self, [&](const Tensor& s) { return slice_put(s, v, g); });
}

bool basic_setitem(const Tensor& self, PyObject* key, PyObject* value) {
  if (!is_basic_key(key)) return false;
  // The key is applied to a contiguous, detached tensor of self's shape (self's own memory when
  // self is contiguous), so that the write can be described relative to it (a Geometry).
  const Tensor base = self.is_contiguous() ? self.detach() : contiguous(self).detach();
  put_through_view(self, apply_basic_key(base, key), base, value);
  return true;
}

}  // namespace tg::bindings
