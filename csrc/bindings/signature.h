// One op schema (Note [Op schemas] in ops/schema.h), parsed once at import into a Signature
// that binds Python arguments to Args: the small counterpart of PyTorch's python arg parser.
#pragma once
#include <string>
#include <vector>

#include "bindings/module.h"

namespace tg::bindings {

// The most arguments a schema may have (the parsed arguments live on the stack).
constexpr size_t kMaxParams = 8;

enum class ParamType { Tensor, Operand, Number, Int, Float, Bool, Dims, DType, Str, Tensors };

// What a schema returns (after `->`): one tensor, a tuple of tensors, or a named tuple.
enum class Returns { Tensor, Tuple, Named };

struct Param {
  ParamType type = ParamType::Tensor;
  std::string name;
  py::object py_name;  // interned, so keywords usually match by pointer
  bool optional = false;  // T?: None is taken
  bool keyword_only = false;
  bool has_default = false;
  bool is_out = false;  // PyTorch's out=: written into, not passed to the op
  Arg default_value;
  std::string default_text;  // as written in the schema
};

class Signature {
 public:
  // Parses "name(Type arg, ..., *, Type arg=default, Tensor? out=None)"; a malformed schema
  // is a programming error, reported with the schema's text.
  explicit Signature(const char* schema);

  const std::string& name() const { return name_; }
  const std::vector<Param>& params() const { return params_; }
  bool has_out() const { return has_out_; }
  Returns returns() const { return returns_; }
  const std::vector<std::string>& return_names() const { return return_names_; }  // a named tuple's fields

  // Fills args[0..params) from Python's vectorcall arguments; `out` gets the out= tensor.
  // False when they do not fit, with PyTorch's reason in `why` (when it is not null).
  // `skip_out`: the in-place variant, which has no out=. `method`: args[0] is self, which
  // PyTorch does not count in an argument's position.
  bool bind(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, Arg* out_args, Tensor& out,
            bool skip_out, bool method, std::string* why) const;

  // "(Tensor input, Tensor other, *, Tensor out = None)": PyTorch's listing in its errors.
  std::string torch_text(bool skip_out) const;
  // "atan2(self: tapegrad._C.Tensor, other: tapegrad._C.Tensor) -> tapegrad._C.Tensor":
  // pybind11's docstring form, which the stubs are generated from.
  std::string doc_text(const std::string& name, bool method, bool skip_out) const;

 private:
  std::string name_;
  std::vector<Param> params_;
  size_t positional_ = 0;  // how many may be given by position
  bool has_out_ = false;
  Returns returns_ = Returns::Tensor;
  std::vector<std::string> return_names_;

  void parse_returns(const std::string& text, const char* schema);
  // Which parameter takes extra positional arguments as its items (Note [Op schemas]), if any.
  int varargs_param(Py_ssize_t nargs, bool method) const;
};

// "(Tensor, dim=str, )": how PyTorch lists the arguments it got.
std::string describe_arguments(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames);

}  // namespace tg::bindings
