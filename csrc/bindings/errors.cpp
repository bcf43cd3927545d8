// The one exception translator: tg::Error kinds become the Python exceptions PyTorch raises.
#include "bindings/module.h"

namespace tg::bindings {

void register_errors(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const tg::Error& e) {
      PyObject* type = PyExc_RuntimeError;
      switch (e.kind()) {
        case ErrorKind::Runtime: type = PyExc_RuntimeError; break;
        case ErrorKind::Index: type = PyExc_IndexError; break;
        case ErrorKind::Type: type = PyExc_TypeError; break;
        case ErrorKind::Value: type = PyExc_ValueError; break;
        case ErrorKind::NotImplemented: type = PyExc_NotImplementedError; break;
      }
      PyErr_SetString(type, e.what());
    }
  });
}

}  // namespace tg::bindings
