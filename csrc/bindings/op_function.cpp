// Note [Op functions]
// Every op schema in the registry (Note [Op schemas] in ops/schema.h) becomes Python callables
// here, at import: tapegrad._C.<name>, Tensor.<name> and Tensor.<name>_, as its variants say.
// Schemas that share a name are one callable's overloads.
//
// A callable is an OpFunction: a small CPython type called through vectorcall, which parses
// its arguments with the schema's Signature (no pybind11 dispatcher, no *args tuple or kwargs
// dict), runs the op and hands the result back. As a Tensor method it is a method descriptor
// (Py_TPFLAGS_METHOD_DESCRIPTOR), so `x.exp()` calls it with x first and makes no bound
// method. Its __doc__ is pybind11's signature format, so scripts/generate_stubs.py reads it
// as it reads every other binding.
#include <cstddef>
#include <deque>
#include <map>

#include "bindings/module.h"
#include "bindings/signature.h"

namespace tg::bindings {

namespace {

enum class Mode { Function, Method, InPlace };

struct Overload {
  Signature signature;
  Invoke invoke;
  PyObject* named_tuple = nullptr;  // tapegrad.return_types.<name>, found at the first call (kept for good)
};

struct OpFunctionData {
  std::string name;  // as Python sees it: atan2, atan2_
  Mode mode;
  std::vector<Overload*> overloads;
  std::string doc;
};

struct OpFunction {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  OpFunctionData* data;
};

[[noreturn]] void no_overload_fits(const OpFunctionData& f, PyObject* const* args, Py_ssize_t nargs,
                                   PyObject* kwnames) {
  std::string expected;
  for (const Overload* o : f.overloads) expected += "\n * " + o->signature.torch_text(f.mode == Mode::InPlace);
  const bool method = f.mode != Mode::Function;  // PyTorch lists a method's arguments without self
  TG_ERROR(Type, f.name, "() received an invalid combination of arguments - got ",
           describe_arguments(args + method, nargs - method, kwnames), ", but expected one of:", expected, "\n");
}

bool any_requires_grad(const Overload& o, const Arg* args) {
  const auto& params = o.signature.params();
  for (size_t i = 0; i < params.size(); ++i)
    if (!params[i].is_out && !args[i].none && args[i].tensor.defined() && args[i].tensor.requires_grad()) return true;
  return false;
}

// Several results: a tuple, or the named tuple torch.return_types has for the op (topk, sort).
PyObject* results_object(Overload& o, TensorList&& results) {
  py::tuple items(results.size());
  for (size_t i = 0; i < results.size(); ++i)
    items[i] = py::reinterpret_steal<py::object>(py_convert::tensor_object(std::move(results[i])));
  if (o.signature.returns() == Returns::Tuple) return items.release().ptr();
  if (!o.named_tuple) {
    py::tuple fields(o.signature.return_names().size());
    for (size_t i = 0; i < fields.size(); ++i) fields[i] = py::str(o.signature.return_names()[i]);
    o.named_tuple = py::module_::import("tapegrad.return_types")
                        .attr("_named_tuple")(o.signature.name(), fields)
                        .release()
                        .ptr();
  }
  return PyObject_Call(o.named_tuple, items.ptr(), nullptr);
}

PyObject* run(const OpFunctionData& f, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  const bool in_place = f.mode == Mode::InPlace, method = f.mode != Mode::Function;
  Arg parsed[kMaxParams];
  Tensor out;
  Overload* chosen = nullptr;
  if (f.overloads.size() == 1) {
    std::string why;
    chosen = f.overloads[0];
    if (!chosen->signature.bind(args, nargs, kwnames, parsed, out, in_place, method, &why)) TG_ERROR(Type, why);
  } else {
    for (Overload* o : f.overloads) {
      if (o->signature.bind(args, nargs, kwnames, parsed, out, in_place, method, nullptr)) {
        chosen = o;
        break;
      }
    }
    if (!chosen) no_overload_fits(f, args, nargs, kwnames);
  }
  if (chosen->invoke.many) return results_object(*chosen, chosen->invoke.many(parsed));
  if (in_place) {
    const Tensor self = parsed[0].tensor;
    return py_convert::tensor_object(apply_inplace(self, [&](const Tensor& current) {
      parsed[0].tensor = current;
      return chosen->invoke.one(parsed);
    }));
  }
  if (!out.defined()) return py_convert::tensor_object(chosen->invoke.one(parsed));
  check_out_argument(out, any_requires_grad(*chosen, parsed), f.name.c_str());
  return py_convert::tensor_object(write_out(out, chosen->invoke.one(parsed)));
}

PyObject* op_vectorcall(PyObject* callable, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
  const OpFunctionData& f = *reinterpret_cast<OpFunction*>(callable)->data;
  try {
    return run(f, args, PyVectorcall_NARGS(nargsf), kwnames);
  } catch (...) {
    py::detail::try_translate_exceptions();  // tg::Error -> PyTorch's exception type
    return nullptr;
  }
}

PyObject* op_descr_get(PyObject* self, PyObject* obj, PyObject*) {
  if (!obj) return Py_NewRef(self);  // Tensor.exp is the function itself
  return PyMethod_New(self, obj);
}

PyObject* op_repr(PyObject* self) {
  const OpFunctionData& f = *reinterpret_cast<OpFunction*>(self)->data;
  if (f.mode == Mode::Function) return PyUnicode_FromFormat("<built-in function %s>", f.name.c_str());
  return PyUnicode_FromFormat("<method '%s' of 'tapegrad._C.Tensor' objects>", f.name.c_str());
}

PyObject* get_name(PyObject* self, void*) {
  return PyUnicode_FromString(reinterpret_cast<OpFunction*>(self)->data->name.c_str());
}
PyObject* get_qualname(PyObject* self, void*) {
  const OpFunctionData& f = *reinterpret_cast<OpFunction*>(self)->data;
  return PyUnicode_FromString(((f.mode == Mode::Function ? "" : "Tensor.") + f.name).c_str());
}
PyObject* get_doc(PyObject* self, void*) {
  return PyUnicode_FromString(reinterpret_cast<OpFunction*>(self)->data->doc.c_str());
}
PyObject* get_module(PyObject*, void*) { return PyUnicode_FromString("tapegrad._C"); }

// pickle and copy find the function again by name, as they find built-in functions.
PyObject* op_reduce(PyObject* self, PyObject*) { return get_qualname(self, nullptr); }

PyMethodDef kMethods[] = {
    {"__reduce__", op_reduce, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef kGetSet[] = {
    {"__name__", get_name, nullptr, nullptr, nullptr},
    {"__qualname__", get_qualname, nullptr, nullptr, nullptr},
    {"__doc__", get_doc, nullptr, nullptr, nullptr},
    {"__module__", get_module, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyTypeObject* op_function_type() {
  static PyTypeObject* type = [] {
    static PyTypeObject t{};  // every slot empty but those set here; PyType_Ready fills in its type
    Py_SET_REFCNT(reinterpret_cast<PyObject*>(&t), 1);  // the one reference a static type holds to itself
    t.tp_name = "tapegrad._C.OpFunction";
    t.tp_basicsize = sizeof(OpFunction);
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR;
    t.tp_vectorcall_offset = offsetof(OpFunction, vectorcall);
    t.tp_call = PyVectorcall_Call;
    t.tp_descr_get = op_descr_get;
    t.tp_repr = op_repr;
    t.tp_getset = kGetSet;
    t.tp_methods = kMethods;
    if (PyType_Ready(&t) < 0) throw py::error_already_set();
    return &t;
  }();
  return type;
}

// The docstring in pybind11's form: one signature, or "Overloaded function." and a numbered list.
std::string doc_of(const OpFunctionData& f) {
  const bool method = f.mode != Mode::Function, in_place = f.mode == Mode::InPlace;
  if (f.overloads.size() == 1) return f.overloads[0]->signature.doc_text(f.name, method, in_place) + "\n";
  std::string doc = f.name + "(*args, **kwargs)\nOverloaded function.\n";
  for (size_t i = 0; i < f.overloads.size(); ++i)
    doc += "\n" + std::to_string(i + 1) + ". " + f.overloads[i]->signature.doc_text(f.name, method, in_place) + "\n";
  return doc;
}

py::object make_function(OpFunctionData* data) {
  data->doc = doc_of(*data);
  auto* obj = PyObject_New(OpFunction, op_function_type());
  if (!obj) throw py::error_already_set();
  obj->vectorcall = op_vectorcall;
  obj->data = data;
  return py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(obj));
}

}  // namespace

void bind_op_schemas(py::module_& m) {
  // Parsed once and kept for the life of the process, as the functions made from them are.
  static std::deque<Overload> overloads;
  static std::deque<OpFunctionData> functions;
  std::map<std::pair<std::string, Mode>, OpFunctionData*> by_name;
  std::vector<OpFunctionData*> order;
  for (const OpInfo& op : registered_ops()) {
    if (!op.schema.signature) continue;
    Overload& o = overloads.emplace_back(Overload{Signature(op.schema.signature), op.invoke});
    for (Mode mode : {Mode::Function, Mode::Method, Mode::InPlace}) {
      const uint8_t bit = mode == Mode::Function ? kFunction : mode == Mode::Method ? kMethod : kInPlace;
      if (!(op.schema.variants & bit)) continue;
      const std::string name = o.signature.name() + (mode == Mode::InPlace ? "_" : "");
      OpFunctionData*& f = by_name[{name, mode}];
      if (!f) order.push_back(f = &functions.emplace_back(OpFunctionData{name, mode, {}, {}}));
      f->overloads.push_back(&o);
    }
  }
  // The named tuples the schemas return, made by tapegrad.return_types at import (so that a
  // pickled result loads in a process that has not called its op yet).
  py::list named;
  for (const Overload& o : overloads) {
    if (o.signature.returns() != Returns::Named) continue;
    py::list fields;
    for (const std::string& field : o.signature.return_names()) fields.append(py::str(field));
    named.append(py::make_tuple(o.signature.name(), py::tuple(fields)));
  }
  m.attr("_schema_named_tuples") = named;
  py::object tensor_class = m.attr("Tensor");
  for (OpFunctionData* f : order) {
    py::handle owner = f->mode == Mode::Function ? py::handle(m) : tensor_class;
    const bool taken = f->mode == Mode::Function ? py::hasattr(m, f->name.c_str())
                                                 : tensor_class.attr("__dict__").contains(f->name);
    TG_CHECK(!taken, Runtime, f->name, " is bound twice: by its schema and by hand");
    py::setattr(owner, f->name.c_str(), make_function(f));
  }
}

}  // namespace tg::bindings
