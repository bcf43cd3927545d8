// tapegrad._C._nn: the ops behind tapegrad.nn.functional.
#include "bindings/module.h"

namespace tg::bindings {

void bind_nn(py::module_& m) { m.def_submodule("_nn", "ops behind tapegrad.nn.functional"); }

}  // namespace tg::bindings
