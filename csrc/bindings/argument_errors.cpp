// Note [No pybind11 text reaches a user]
// When no overload of a bound function takes the arguments given, pybind11 raises its own
// TypeError ("incompatible function arguments. The following argument types are supported:
// ..."). PyTorch says "f() received an invalid combination of arguments - got (float), but
// expected one of: ...". So every bound function and method gets one more overload, added last,
// that takes any arguments and raises PyTorch's wording, listing the real signatures.
//
// pybind11 tries overloads in two passes: first with no implicit conversions (an int is not
// taken for a float, a numpy scalar not for an int), then again allowing them. A fallback that
// took anything in the first pass would shadow every call that needs a conversion, so its first
// parameter is a gate whose caster refuses to load in the first pass: the fallback is reached
// only after every real overload failed in both passes, and calls that bind cost nothing more.
//
// The fallback overloads are left out of the stubs (scripts/generate_stubs.py drops any
// signature with the gate's parameter name, `_unmatched`).
#include <cstring>
#include <string>
#include <vector>

#include "bindings/module.h"

namespace tg::bindings {
namespace {

struct UnmatchedGate {
  py::object value;
};

}  // namespace
}  // namespace tg::bindings

namespace pybind11::detail {
template <>
struct type_caster<tg::bindings::UnmatchedGate> {
  PYBIND11_TYPE_CASTER(tg::bindings::UnmatchedGate, const_name("typing.Any"));
  bool load(handle src, bool convert) {
    if (!convert) return false;  // the gate: only the converting pass reaches the fallback
    value.value = reinterpret_borrow<object>(src);
    return true;
  }
  static handle cast(const tg::bindings::UnmatchedGate& src, return_value_policy, handle) {
    return src.value.inc_ref();
  }
};
}  // namespace pybind11::detail

namespace tg::bindings {
namespace {

// The default of the gate parameter when no positional argument was given.
py::handle no_argument() {
  static PyObject* sentinel = PyObject_CallNoArgs(reinterpret_cast<PyObject*>(&PyBaseObject_Type));
  return sentinel;
}

// "Tensor" for tapegrad._C.Tensor, "float" for float: the last part of the type's name.
std::string short_type_name(py::handle h) {
  std::string name = Py_TYPE(h.ptr())->tp_name;
  return name.substr(name.rfind('.') + 1);
}

// pybind11's spelling of the types in a signature, shortened to the words PyTorch uses.
std::string readable(std::string sig) {
  static const std::pair<const char*, const char*> kWords[] = {
      {"typing.SupportsInt | typing.SupportsIndex", "int"},
      {"typing.SupportsFloat | typing.SupportsIndex", "float"},
      {"tapegrad._C.Tensor", "Tensor"},
      {"tapegrad._C.dtype", "dtype"},
      {"tapegrad._C.Node", "Node"},
      {"collections.abc.", ""},
  };
  for (const auto& [from, to] : kWords) {
    for (size_t at = sig.find(from); at != std::string::npos; at = sig.find(from, at + std::strlen(to)))
      sig.replace(at, std::strlen(from), to);
  }
  return sig;
}

// The argument lists of a pybind11 docstring's signatures, without `self`:
// "add(self: tapegrad._C.Tensor, other: float) -> ..." gives "other: float".
std::vector<std::string> signatures_of(const std::string& name, py::handle fn) {
  std::vector<std::string> out;
  py::object doc = py::getattr(fn, "__doc__", py::none());
  if (doc.is_none()) return out;
  const std::string text = doc.cast<std::string>(), head = name + "(";
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    const size_t open = line.find(head);
    const size_t close = line.rfind(") -> ");
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    std::string args = line.substr(open + head.size(), close - open - head.size());
    if (args == "*args, **kwargs") continue;  // the summary line of an overloaded function
    if (args.rfind("self", 0) == 0) {  // "self: tapegrad._C.Node, fn: ..." -> "fn: ..."
      const size_t comma = args.find(", ");
      args = comma == std::string::npos ? "" : args.substr(comma + 2);
    }
    out.push_back(readable(args));
  }
  return out;
}

[[noreturn]] void raise_invalid_combination(const std::string& name, const std::vector<std::string>& signatures,
                                            const UnmatchedGate& first, const py::args& rest,
                                            const py::kwargs& kwargs) {
  std::string got;  // PyTorch's spelling: "(float, int)", "(dim=float, )", "(Tensor, dim=float, )"
  auto add_positional = [&](py::handle h) { got += std::string(got.empty() ? "" : ", ") + short_type_name(h); };
  if (first.value.ptr() != no_argument().ptr()) add_positional(first.value);
  for (py::handle a : rest) add_positional(a);
  if (!got.empty() && !kwargs.empty()) got += ", ";
  for (auto kv : kwargs) got += py::str(kv.first).cast<std::string>() + "=" + short_type_name(kv.second) + ", ";
  std::string expected;
  for (const std::string& s : signatures) expected += "\n * (" + s + ")";
  TG_ERROR(Type, name, "() received an invalid combination of arguments - got (", got, "), but expected one of:",
           expected, "\n");
}

bool is_pybind11_function(py::handle fn) {
  return PyCFunction_Check(fn.ptr()) && PyCFunction_GET_SELF(fn.ptr()) != nullptr &&
         py::detail::function_record_ptr_from_PyObject(PyCFunction_GET_SELF(fn.ptr())) != nullptr;
}

// The methods of a pybind11 class: each gets the fallback as its last overload.
void add_to_class(py::handle cls) {
  std::vector<std::string> names;
  for (auto item : cls.attr("__dict__").cast<py::dict>()) {
    const std::string name = py::str(item.first);
    if (name.rfind("__", 0) == 0 || !PyInstanceMethod_Check(item.second.ptr())) continue;
    if (is_pybind11_function(PyInstanceMethod_GET_FUNCTION(item.second.ptr()))) names.push_back(name);
  }
  for (const std::string& name : names) {
    auto signatures = signatures_of(name, cls.attr(name.c_str()));
    py::cpp_function fallback(
        [name, signatures](py::handle, UnmatchedGate first, py::args rest, py::kwargs kwargs) -> py::object {
          raise_invalid_combination(name, signatures, first, rest, kwargs);
        },
        py::name(name.c_str()), py::is_method(cls), py::sibling(cls.attr(name.c_str())),
        py::arg_v("_unmatched", no_argument(), "..."));
    py::setattr(cls, name.c_str(), fallback);
  }
}

}  // namespace

void add_argument_error_fallbacks(py::module_& m) {
  std::vector<std::string> functions;
  for (auto item : m.attr("__dict__").cast<py::dict>()) {
    const std::string name = py::str(item.first);
    if (name.rfind("__", 0) == 0) continue;
    if (is_pybind11_function(item.second)) {
      functions.push_back(name);
    } else if (PyType_Check(item.second.ptr()) &&
               py::detail::get_type_info(reinterpret_cast<PyTypeObject*>(item.second.ptr()))) {
      add_to_class(item.second);
    } else if (PyModule_Check(item.second.ptr())) {
      auto sub = py::reinterpret_borrow<py::module_>(item.second);
      add_argument_error_fallbacks(sub);  // _C._nn, _C._optim, ...
    }
  }
  for (const std::string& name : functions) {
    auto signatures = signatures_of(name, m.attr(name.c_str()));
    m.def(
        name.c_str(),
        [name, signatures](UnmatchedGate first, py::args rest, py::kwargs kwargs) -> py::object {
          raise_invalid_combination(name, signatures, first, rest, kwargs);
        },
        py::arg_v("_unmatched", no_argument(), "..."));
  }
}

}  // namespace tg::bindings
