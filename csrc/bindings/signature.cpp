#include "bindings/signature.h"

#include <cstring>

namespace tg::bindings {

namespace {

struct TypeWords {
  const char* schema;  // in the schema
  ParamType type;
  const char* torch;  // in PyTorch's error listings
  const char* stub;   // in the stubs
};
constexpr TypeWords kTypes[] = {
    {"Tensor|Number", ParamType::Operand, "Tensor", "tapegrad._C.Tensor | float"},
    {"Tensor", ParamType::Tensor, "Tensor", "tapegrad._C.Tensor"},
    {"Number", ParamType::Number, "Number", "float | int | bool"},
    {"int[]", ParamType::Dims, "tuple of ints", "int | collections.abc.Sequence[int]"},
    {"int", ParamType::Int, "int", "int"},
    {"float", ParamType::Float, "float", "float"},
    {"bool", ParamType::Bool, "bool", "bool"},
    {"dtype", ParamType::DType, "torch.dtype", "tapegrad._C.dtype"},
    {"str", ParamType::Str, "str", "str"},
    {"Tensor[]", ParamType::Tensors, "tuple of Tensors", "collections.abc.Sequence[tapegrad._C.Tensor]"},
};

const TypeWords& words_of(ParamType t) {
  for (const TypeWords& w : kTypes)
    if (w.type == t) return w;
  TG_ERROR(Runtime, "unknown schema type");
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string short_type_name(PyObject* o) {
  std::string name = Py_TYPE(o)->tp_name;
  return name.substr(name.rfind('.') + 1);
}

// An int as PyTorch's int parameters take it: a Python int (not a bool), a numpy integer, or a
// 0-d integer tensor.
bool load_int(PyObject* o, Scalar& out) {
  if (PyBool_Check(o)) return false;
  Tensor t;
  if (py_convert::as_tensor(o, t)) {
    if (t.dim() != 0 || is_floating(t.dtype()) || t.dtype() == DType::Bool) return false;
    out = py_convert::to_scalar(t);
    return true;
  }
  if (!PyLong_Check(o) && !PyIndex_Check(o)) return false;
  std::optional<Scalar> v = py_convert::to_number(py::handle(o));
  if (!v || !v->is_int()) return false;
  out = *v;
  return true;
}

bool load_dims(PyObject* o, DimList& dims) {
  Scalar s;
  if (load_int(o, s)) {
    dims.push_back(s.to_int_exact());
    return true;
  }
  if (!PyTuple_Check(o) && !PyList_Check(o)) return false;
  py::sequence seq = py::reinterpret_borrow<py::sequence>(o);
  for (py::handle item : seq) {
    if (!load_int(item.ptr(), s)) return false;
    dims.push_back(s.to_int_exact());
  }
  return true;
}

// A list or tuple of tensors; `bad` is the position of the first item that is not one.
bool load_tensors(PyObject* o, TensorList& tensors, size_t& bad) {
  if (!PyTuple_Check(o) && !PyList_Check(o)) return false;
  py::sequence seq = py::reinterpret_borrow<py::sequence>(o);
  tensors.clear();
  tensors.reserve(seq.size());
  for (size_t k = 0; k < seq.size(); ++k) {
    Tensor t;
    if (!py_convert::as_tensor(py::handle(seq[k]).ptr(), t)) {
      bad = k;
      return false;
    }
    tensors.push_back(std::move(t));
  }
  return true;
}

// Reads `o` as a parameter of type `p`; false when it is not one. `self` (may be undefined)
// lets a Python number operand be made in self's floating dtype (see to_operand_like).
bool load(const Param& p, PyObject* o, const Tensor& self, Arg& arg) {
  if (o == Py_None) {
    arg.none = true;
    return p.optional;
  }
  arg.none = false;
  arg.tensor = Tensor();  // what an overload tried before may have left
  arg.dims.clear();
  switch (p.type) {
    case ParamType::Tensor: return py_convert::as_tensor(o, arg.tensor);
    case ParamType::Operand:
      return self.defined() ? py_convert::to_operand_like(o, self, arg.tensor) : py_convert::to_operand(o, arg.tensor);
    case ParamType::Number: {
      if (py_convert::as_tensor(o, arg.tensor)) {  // a 0-d tensor is a number to PyTorch's parser
        if (arg.tensor.dim() != 0) return false;
        arg.scalar = py_convert::to_scalar(arg.tensor);
        arg.tensor = Tensor();
        return true;
      }
      std::optional<Scalar> v = py_convert::to_number(py::handle(o));
      if (v) arg.scalar = *v;
      return v.has_value();
    }
    case ParamType::Int: return load_int(o, arg.scalar);
    case ParamType::Float: {
      if (PyFloat_Check(o)) {
        arg.scalar = Scalar(PyFloat_AS_DOUBLE(o));
        return true;
      }
      std::optional<Scalar> v = py_convert::to_number(py::handle(o));
      if (v) arg.scalar = Scalar(v->to_double());
      return v.has_value();
    }
    case ParamType::Bool:
      if (!PyBool_Check(o)) return false;
      arg.scalar = Scalar::from_bool(o == Py_True);
      return true;
    case ParamType::Dims: return load_dims(o, arg.dims);
    case ParamType::DType:
      if (!py::isinstance<DType>(o)) return false;
      arg.dtype = py::handle(o).cast<DType>();
      return true;
    case ParamType::Str: {
      if (!PyUnicode_Check(o)) return false;
      Py_ssize_t size = 0;
      const char* text = PyUnicode_AsUTF8AndSize(o, &size);
      if (!text) throw py::error_already_set();
      arg.text = std::string_view(text, size);
      return true;
    }
    case ParamType::Tensors: {
      size_t bad = 0;
      return load_tensors(o, arg.tensors, bad);
    }
  }
  return false;
}

Arg parse_default(ParamType type, const std::string& text, const char* schema) {
  Arg a;
  if (text == "None") return a;
  a.none = false;
  if (text == "True" || text == "False") {
    a.scalar = Scalar::from_bool(text == "True");
  } else if (text == "()") {
    TG_CHECK(type == ParamType::Dims, Runtime, "schema ", schema, ": () is a default for int[] only");
  } else if (text.find_first_of(".e") != std::string::npos) {
    a.scalar = Scalar(std::stod(text));
  } else {
    a.scalar = Scalar::from_int(std::stoll(text));
  }
  return a;
}

}  // namespace

Signature::Signature(const char* schema) {
  const std::string s = schema;
  const size_t open = s.find('(');
  size_t close = open, depth = 0;  // the parenthesis that closes the arguments (a default may be `()`)
  while (open != std::string::npos && close < s.size() && (close == open || depth)) {
    depth += s[close] == '(';
    depth -= s[close] == ')';
    if (depth) ++close;
  }
  TG_CHECK(open != std::string::npos && close < s.size(), Runtime, "malformed schema: ", schema);
  name_ = trim(s.substr(0, open));
  parse_returns(trim(s.substr(close + 1)), schema);
  const std::string inner = s.substr(open + 1, close - open - 1);
  bool keyword_only = false;
  size_t start = 0;
  while (start < inner.size()) {
    size_t comma = inner.find(',', start);
    if (comma == std::string::npos) comma = inner.size();
    const std::string item = trim(inner.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    if (item == "*") {
      keyword_only = true;
      continue;
    }
    Param p;
    const size_t space = item.find(' ');
    TG_CHECK(space != std::string::npos, Runtime, "malformed schema argument '", item, "' in ", schema);
    std::string type = item.substr(0, space), rest = trim(item.substr(space + 1));
    if (!type.empty() && type.back() == '?') {
      p.optional = true;
      type.pop_back();
    }
    bool known = false;
    for (const TypeWords& w : kTypes)
      if (type == w.schema) p.type = w.type, known = true;
    TG_CHECK(known, Runtime, "unknown type '", type, "' in schema ", schema);
    const size_t eq = rest.find('=');
    p.name = trim(rest.substr(0, eq));
    if (eq != std::string::npos) {
      p.has_default = true;
      p.default_text = trim(rest.substr(eq + 1));
      p.default_value = parse_default(p.type, p.default_text, schema);
    }
    p.keyword_only = keyword_only;
    p.py_name = py::reinterpret_steal<py::object>(PyUnicode_InternFromString(p.name.c_str()));
    if (p.name == "out") {
      p.is_out = true;
      TG_CHECK(p.type == ParamType::Tensor && p.optional && keyword_only, Runtime, "schema ", schema,
               ": out must be a keyword-only Tensor?");
      has_out_ = true;
    } else {
      TG_CHECK(!has_out_, Runtime, "schema ", schema, ": out must be the last argument");
    }
    if (!keyword_only) ++positional_;
    params_.push_back(std::move(p));
  }
  TG_CHECK(params_.size() <= kMaxParams, Runtime, "schema ", schema, " has more than ", kMaxParams, " arguments");
}

void Signature::parse_returns(const std::string& text, const char* schema) {
  if (text.empty() || text == "-> Tensor") return;
  if (text == "-> Tensor[]") {
    returns_ = Returns::Tuple;
    return;
  }
  const size_t open = text.find('('), close = text.rfind(')');
  TG_CHECK(text.rfind("->", 0) == 0 && open != std::string::npos && close != std::string::npos, Runtime,
           "malformed return in schema ", schema);
  returns_ = Returns::Named;
  const std::string inner = text.substr(open + 1, close - open - 1);
  size_t start = 0;
  while (start < inner.size()) {
    size_t comma = inner.find(',', start);
    if (comma == std::string::npos) comma = inner.size();
    const std::string item = trim(inner.substr(start, comma - start));
    start = comma + 1;
    TG_CHECK(item.rfind("Tensor ", 0) == 0, Runtime, "schema ", schema, ": a named tuple holds tensors");
    return_names_.push_back(trim(item.substr(7)));
  }
}

int Signature::varargs_param(Py_ssize_t nargs, bool method) const {
  if (nargs <= (Py_ssize_t)positional_ || positional_ == 0) return -1;
  const size_t last = positional_ - 1;
  if (params_[last].type == ParamType::Tensors) return (int)last;
  if (params_[last].type == ParamType::Dims && positional_ == 1 + (size_t)method) return (int)last;
  return -1;
}

bool Signature::bind(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, Arg* out_args, Tensor& out,
                     bool skip_out, bool method, std::string* why) const {
  const size_t n = params_.size() - (has_out_ && skip_out ? 1 : 0);
  auto fail = [&](auto&&... parts) {
    if (why) *why = detail::concat(name_, "()", parts...);
    return false;
  };
  // A list parameter given as separate positional arguments (x.view(2, 3), meshgrid(a, b)):
  // they become one tuple, and the call binds as if it had been passed so.
  const Py_ssize_t nargs_given = nargs;
  py::object packed;
  int va = varargs_param(nargs, method);
  if (va < 0 && nargs == (Py_ssize_t)positional_ && positional_ && params_[positional_ - 1].type == ParamType::Tensors &&
      !PyTuple_Check(args[positional_ - 1]) && !PyList_Check(args[positional_ - 1]))
    va = (int)positional_ - 1;  // one tensor where the list goes: meshgrid(a)
  if (va >= 0) {
    packed = py::reinterpret_steal<py::object>(PyTuple_New(nargs - va));
    for (Py_ssize_t k = va; k < nargs; ++k) PyTuple_SET_ITEM(packed.ptr(), k - va, Py_NewRef(args[k]));
    nargs = va + 1;
  }
  if ((size_t)nargs > positional_) {
    size_t required = 0;
    for (size_t i = 0; i < positional_; ++i) required += !params_[i].has_default;
    if (required != positional_)
      return fail(" takes from ", required, " to ", positional_, " positional arguments but ", nargs, " were given");
    return fail(" takes ", positional_, " positional argument", positional_ == 1 ? "" : "s", " but ", nargs,
                nargs == 1 ? " was" : " were", " given");
  }
  // Keywords, matched to parameters by name (interned names usually match by pointer).
  PyObject* by_keyword[kMaxParams] = {};
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t k = 0; k < nkw; ++k) {
    PyObject* key = PyTuple_GET_ITEM(kwnames, k);
    size_t i = 0;
    while (i < n && params_[i].py_name.ptr() != key) ++i;
    if (i == n) {
      i = 0;
      while (i < n && PyUnicode_Compare(params_[i].py_name.ptr(), key) != 0) ++i;
    }
    if (i == n) return fail(" got an unexpected keyword argument '", PyUnicode_AsUTF8(key), "'");
    if ((Py_ssize_t)i < nargs) return fail(" got multiple values for argument '", params_[i].name, "'");
    by_keyword[i] = args[nargs_given + k];
  }
  std::string missing;
  size_t missing_count = 0;
  Tensor self;
  for (size_t i = 0; i < n; ++i) {
    const Param& p = params_[i];
    PyObject* o = (int)i == va ? packed.ptr() : (Py_ssize_t)i < nargs ? args[i] : by_keyword[i];
    if (!o) {
      if (p.is_out) {
        continue;  // `out` stays undefined
      } else if (p.has_default) {
        out_args[i] = p.default_value;
      } else {
        missing += std::string(missing.empty() ? "\"" : ", \"") + p.name + "\"";
        ++missing_count;
      }
      continue;
    }
    Arg scratch;
    Arg& a = p.is_out ? scratch : out_args[i];
    if (!load(p, o, self, a)) {
      size_t bad = 0;
      TensorList unused_tensors;
      if (p.type == ParamType::Tensors && !load_tensors(o, unused_tensors, bad) && (PyTuple_Check(o) || PyList_Check(o))) {
        py::sequence seq = py::reinterpret_borrow<py::sequence>(o);
        return fail(": expected Tensor as element ", bad, " in argument ", i - method, ", but got ",
                    short_type_name(py::handle(seq[bad]).ptr()));
      }
      if (p.type == ParamType::Dims && (PyTuple_Check(o) || PyList_Check(o))) {
        py::sequence seq = py::reinterpret_borrow<py::sequence>(o);
        size_t k = 0;
        Scalar unused;
        while (k < seq.size() && load_int(py::handle(seq[k]).ptr(), unused)) ++k;
        return fail(": argument '", p.name, "' failed to unpack the object at pos ", k + 1,
                    " with error \"type must be tuple of ints,but got ", short_type_name(py::handle(seq[k]).ptr()), "\"");
      }
      if ((Py_ssize_t)i < nargs)
        return fail(": argument '", p.name, "' (position ", i + 1 - method, ") must be ", words_of(p.type).torch,
                    ", not ", short_type_name(o));
      return fail(": argument '", p.name, "' must be ", words_of(p.type).torch, ", not ", short_type_name(o));
    }
    if (p.is_out) out = a.tensor;
    else if (i == 0 && p.type == ParamType::Tensor) self = a.tensor;
  }
  if (missing_count)
    return fail(" missing ", missing_count, " required positional arguments: ",
                missing);
  return true;
}

std::string Signature::torch_text(bool skip_out) const {
  std::string text = "(";
  bool star = false;
  for (const Param& p : params_) {
    if (skip_out && p.is_out) continue;
    if (p.keyword_only && !star) text += std::string(text.size() > 1 ? ", " : "") + "*", star = true;
    text += std::string(text.size() > 1 ? ", " : "") + words_of(p.type).torch + " " + p.name;
    if (p.has_default) text += " = " + p.default_text;
  }
  return text + ")";
}

std::string Signature::doc_text(const std::string& name, bool method, bool skip_out) const {
  std::string text = name + "(";
  bool star = false;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    if (skip_out && p.is_out) continue;
    if (i) text += ", ";
    if (p.keyword_only && !star) text += "*, ", star = true;
    text += (method && i == 0 ? std::string("self") : p.name) + ": " + words_of(p.type).stub;
    if (p.optional) text += " | None";
    if (p.has_default) text += " = " + (p.default_text == "()" ? std::string("()") : p.default_text);
  }
  if (returns_ == Returns::Tensor) return text + ") -> tapegrad._C.Tensor";
  if (returns_ == Returns::Tuple) return text + ") -> tuple[tapegrad._C.Tensor, ...]";
  std::string tuple = ") -> tuple[";
  for (size_t i = 0; i < return_names_.size(); ++i) tuple += std::string(i ? ", " : "") + "tapegrad._C.Tensor";
  return text + tuple + "]";
}

std::string describe_arguments(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  std::string got;
  for (Py_ssize_t i = 0; i < nargs; ++i) got += std::string(i ? ", " : "") + short_type_name(args[i]);
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  if (nargs && nkw) got += ", ";
  for (Py_ssize_t k = 0; k < nkw; ++k)
    got += std::string(PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, k))) + "=" + short_type_name(args[nargs + k]) + ", ";
  return "(" + got + ")";
}

}  // namespace tg::bindings
