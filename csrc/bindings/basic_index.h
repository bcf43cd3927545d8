// x[key] for keys of ints, slices, None and Ellipsis: the "basic" indexing that only makes views.
// Every rule and error message of it lives here. python/tapegrad/_indexing.py handles keys with
// index tensors, lists, arrays or bools, and calls these same functions for a key's basic items.
#pragma once
#include "bindings/convert.h"

namespace tg::bindings {

// PyTorch's checks on a key as a whole, made before any item is applied: a lone non-positive
// step, a lone int beyond int64 or into a 0-d tensor, more dims indexed (`used`) than self has;
// and numpy's refusal of a second ellipsis.
void check_index_key(const Tensor& self, py::handle key, int64_t ellipses, int64_t used);
// key item `item`, an int (or any __index__ object), applied at `dim`: bounds-checked select.
Tensor index_with_int(const Tensor& t, int64_t dim, py::handle item);
// key item `item`, a slice, applied at `dim`: bounds clamped to the dim, step checked.
Tensor index_with_slice(const Tensor& t, int64_t dim, py::handle item);

// Whether key holds only ints, slices, None and Ellipsis (anything else is the Python indexer's).
bool is_basic_key(PyObject* key);
// self[key] for a basic key (false otherwise: the Python indexer takes it). Tensor's
// mp_subscript slot calls this first.
bool basic_getitem(const Tensor& self, PyObject* key, Tensor& out);
// self[key] = value for a basic key, in place and recorded (false otherwise). Tensor's
// mp_ass_subscript slot calls this first.
bool basic_setitem(const Tensor& self, PyObject* key, PyObject* value);
// The right-hand side of x[key] = value: a Tensor, or a Python number in self's dtype (with
// PyTorch's overflow error where it cannot hold it), else TypeError.
Tensor assigned_value(py::handle value, const Tensor& self);
// x[key] = value once key is applied to `base` (a contiguous, detached tensor of self's shape)
// as `view`: refused on a leaf that requires grad while recording, else written in place.
void put_through_view(const Tensor& self, const Tensor& view, const Tensor& base, py::handle value);

}  // namespace tg::bindings
