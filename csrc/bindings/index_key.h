// x[key] and x[key] = value from Python: the key is read once into an IndexKey (ops/index.h)
// and applied by one op. Tensor's mp_subscript / mp_ass_subscript slots and its __getitem__ /
// __setitem__ methods call these.
#pragma once
#include "bindings/convert.h"

namespace tg::bindings {

Tensor getitem(const Tensor& self, PyObject* key);
void setitem(const Tensor& self, PyObject* key, PyObject* value);

}  // namespace tg::bindings
