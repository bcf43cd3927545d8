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
    } catch (const py::cast_error& e) {
      // A value of the wrong Python type met a C++ conversion inside a binding. pybind11 would
      // say "Unable to cast Python instance of type <class 'str'> to C++ type '?'"; the type
      // it names is the one thing worth keeping (Note [No pybind11 text reaches a user]).
      std::string what = e.what();
      const size_t from = what.find("<class '"), to = what.find("'>");
      std::string got = from != std::string::npos && to != std::string::npos && to > from + 8
                            ? what.substr(from + 8, to - from - 8) : "an unexpected type";
      PyErr_SetString(PyExc_TypeError, ("an argument of type " + got.substr(got.rfind('.') + 1) +
                                        " was given where another type is required").c_str());
    }
  });
}

}  // namespace tg::bindings
