// Hand-written bindings of ops whose Python spelling no schema expresses yet (clamp's and
// lerp's number-or-tensor overloads, max/min's return types, var/std's lone bool, the
// operator dunders % and //), and the in-place methods outside the schemas (each one
// apply_inplace around its out-of-place op). Called from bind_ops.
#include "bindings/module.h"
#include "kernels/copy.h"
#include "ops/pointwise_ops.h"

namespace tg::bindings {

using py_convert::dims_from_object;
using py_convert::operand_or_throw;

namespace {

DimList all_dims_or(py::handle dim, const char* fname) {
  auto dims = dims_from_object(dim, fname);
  return dims ? *dims : DimList{};
}

// clamp with numbers (ClampBackward1) or, when either bound is a tensor, tensors (ClampBackward0).
// `fname` (clamp, clip, clamp_, clip_) names the function in errors.
Tensor clamp_any(const Tensor& a, py::handle lo, py::handle hi, const char* fname) {
  for (auto [h, name] : {std::pair{lo, "min"}, std::pair{hi, "max"}})
    TG_CHECK(h.is_none() || py::isinstance<TensorImpl>(h) || py_convert::to_number(h), Type,
             fname, "() received an invalid combination of arguments - got (", name, "=", Py_TYPE(h.ptr())->tp_name,
             ", ), but expected one of:\n * (Tensor min = None, Tensor max = None)\n"
             " * (Number min = None, Number max = None)\n");
  auto opt_number = [](py::handle h) -> std::optional<Scalar> {
    if (h.is_none()) return std::nullopt;
    return py_convert::to_number(h);
  };
  if (!py::isinstance<TensorImpl>(lo) && !py::isinstance<TensorImpl>(hi)) return clamp(a, opt_number(lo), opt_number(hi));
  auto bound = [](py::handle h) { return h.is_none() ? Tensor() : operand_or_throw(h, "clamp"); };
  return clamp(a, bound(lo), bound(hi));
}

// PyTorch's torch.return_types.max / min: a named tuple of (values, indices).
py::object values_indices(const char* kind, const ValuesIndices& r) {
  py::object cls = py::module_::import("tapegrad.return_types").attr(kind);
  return cls(py::cast(r.values), py::cast(r.indices));
}

// x.max(), x.max(dim, keepdim) and x.max(other) share one name, as in PyTorch: three
// overloads, so that the stubs say what each returns (a Tensor, a (values, indices) tuple).
template <bool IsMax>
void def_max(py::module_& m, TensorClass& cls) {
  using Result = std::conditional_t<IsMax, hint::MaxResult, hint::MinResult>;
  const char* name = IsMax ? "max" : "min";
  auto whole = [](const Tensor& self, py::none, bool) { return IsMax ? max(self) : min(self); };
  auto along = [name](const Tensor& self, int64_t dim, bool keepdim) -> Result {
    return values_indices(name, IsMax ? max(self, dim, keepdim) : min(self, dim, keepdim));
  };
  auto elementwise = [](const Tensor& self, const Tensor& other) {
    return IsMax ? maximum(self, other) : minimum(self, other);
  };
  for (bool method : {false, true}) {
    auto def = [&](auto fn, auto... extra) {
      if (method) cls.def(name, fn, extra...);
      else m.def(name, fn, py::arg("input"), extra...);
    };
    def(whole, py::arg("dim") = py::none(), py::arg("keepdim") = false);
    def(along, py::arg("dim"), py::arg("keepdim") = false);
    def(elementwise, py::arg("other"));
  }
}

// var/std(dim=None, unbiased=None, keepdim=False, *, correction=None); a lone bool is
// `unbiased` (x.var(False)).
template <bool IsStd>
Tensor var_py(const Tensor& self, hint::DimsOrUnbiased dim, hint::OptBool unbiased, bool keepdim,
              hint::OptFloat correction) {
  if (py::isinstance<py::bool_>(dim)) {
    unbiased = dim;
    dim = py::none();
  }
  double c = 1.0;
  if (!correction.is_none()) c = correction.cast<double>();
  else if (!unbiased.is_none()) c = unbiased.cast<bool>() ? 1.0 : 0.0;
  DimList dims = all_dims_or(dim, IsStd ? "std" : "var");
  return IsStd ? std_dev(self, dims, c, keepdim) : var(self, dims, c, keepdim);
}

void bind_pointwise(py::module_& m, TensorClass& cls) {
  for (const char* fname : {"clamp", "clip"}) {
    auto clamp_py = [fname](const Tensor& a, hint::OptTensorOrNumber lo, hint::OptTensorOrNumber hi) {
      return clamp_any(a, lo, hi, fname);
    };
    def_both(m, cls, fname, clamp_py, py::arg("min") = py::none(), py::arg("max") = py::none());
  }
  def_both(m, cls, "lerp", [](const Tensor& a, const Tensor& end, hint::TensorOrNumber w) {
    if (py::isinstance<TensorImpl>(w)) return lerp(a, end, w.cast<Tensor>());
    std::optional<Scalar> v = py_convert::to_number(w);
    TG_CHECK(v, Type, "lerp() received an invalid combination of arguments - got (Tensor, ", Py_TYPE(w.ptr())->tp_name,
             "), but expected one of:\n * (Tensor end, Tensor weight)\n * (Tensor end, Number weight)\n");
    return lerp(a, end, v->to_double());
  }, py::arg("end"), py::arg("weight"));
}

// allclose and equal answer a Python bool, which no schema returns yet. The tensors are taken
// as any object so that a non-tensor gets PyTorch's wording (positions count self for the
// function only; a keyword argument is reported with a position too).
Tensor tensor_arg(py::handle h, const char* fname, const char* name, int position) {
  Tensor t;
  TG_CHECK(py_convert::as_tensor(h.ptr(), t), Type, fname, "(): argument '", name, "' (position ", position,
           ") must be Tensor, not ", Py_TYPE(h.ptr())->tp_name);
  return t;
}

template <bool IsMethod>
bool allclose_py(const hint::TensorResult& input, const hint::TensorResult& other, double rtol, double atol,
                 bool equal_nan) {
  const Tensor a = tensor_arg(input, "allclose", "input", 1), b = tensor_arg(other, "allclose", "other", IsMethod ? 1 : 2);
  return kernels::item(all(isclose(a, b, rtol, atol, equal_nan), DimList{}, false)).to<bool>();
}

// Same shape and equal values after promotion (NaN equals nothing); no broadcasting.
template <bool IsMethod>
bool equal_py(const hint::TensorResult& input, const hint::TensorResult& other) {
  const Tensor a = tensor_arg(input, "equal", "input", 1), b = tensor_arg(other, "equal", "other", IsMethod ? 1 : 2);
  return a.sizes() == b.sizes() && kernels::item(all(eq(a, b), DimList{}, false)).to<bool>();
}

void bind_closeness(py::module_& m, TensorClass& cls) {
  m.def("allclose", &allclose_py<false>, py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-05,
        py::arg("atol") = 1e-08, py::arg("equal_nan") = false);
  cls.def("allclose", &allclose_py<true>, py::arg("other"), py::arg("rtol") = 1e-05, py::arg("atol") = 1e-08,
          py::arg("equal_nan") = false);
  m.def("equal", &equal_py<false>, py::arg("input"), py::arg("other"));
  cls.def("equal", &equal_py<true>, py::arg("other"));
}

void bind_reductions(py::module_& m, TensorClass& cls) {
  def_both(m, cls, "prod", [](const Tensor& a, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) {
    Tensor x = dtype ? to_dtype(a, *dtype) : a;
    if (!dim) return prod(x);
    return prod(x, DimList{*dim}, keepdim);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::arg("dtype") = py::none());
  def_max<true>(m, cls);
  def_max<false>(m, cls);
  def_both(m, cls, "argmax", [](const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
    return argmax(a, dim, keepdim);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_both(m, cls, "argmin", [](const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
    return argmin(a, dim, keepdim);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_both(m, cls, "var", &var_py<false>, py::arg("dim") = py::none(), py::arg("unbiased") = py::none(),
           py::arg("keepdim") = false, py::kw_only(), py::arg("correction") = py::none());
  def_both(m, cls, "std", &var_py<true>, py::arg("dim") = py::none(), py::arg("unbiased") = py::none(),
           py::arg("keepdim") = false, py::kw_only(), py::arg("correction") = py::none());
  def_both(m, cls, "all", [](const Tensor& a, hint::Dims dim, bool keepdim) {
    return all(a, all_dims_or(dim, "all"), keepdim);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  def_both(m, cls, "any", [](const Tensor& a, hint::Dims dim, bool keepdim) {
    return any(a, all_dims_or(dim, "any"), keepdim);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false);
}

// In-place methods outside the schemas: float_power_, zero_, fill_, copy_ and clamp_; each is
// apply_inplace around its out-of-place op (the operator forms, += ..., are in tensor_operators.cpp).
void bind_inplace(TensorClass& cls) {
  // float_power_ computes in float64, so self must be float64 already (PyTorch's check and words).
  cls.def("float_power_", [](const Tensor& self, hint::TensorOrNumber exponent) {
    TG_CHECK(self.dtype() == DType::Float64, Runtime, "the base given to float_power_ has dtype ",
             dtype_legacy_name(self.dtype()), " but the operation's result requires dtype Double");
    Tensor e = operand_or_throw(exponent, "float_power_");
    return apply_inplace(self, [&](const Tensor& s) {
      return e.is_wrapped_number() ? float_power_scalar(s, kernels::item(e)) : float_power(s, e);
    });
  }, py::arg("exponent"));
  cls.def("zero_", [](const Tensor& self) { return apply_inplace(self, [](const Tensor& s) { return zero(s); }); });
  cls.def("fill_", [](const Tensor& self, py::handle value) {
    std::optional<Scalar> v;
    if (py::isinstance<TensorImpl>(value)) {
      Tensor t = value.cast<Tensor>();
      TG_CHECK(t.dim() == 0, Runtime, "fill_ only supports 0-dimension value tensor but got tensor with ", t.dim(),
               " dimensions.");
      v = py_convert::to_scalar(kernels::cast(t, self.dtype()));  // a tensor value casts as copy_ does (PyTorch's)
    } else {
      v = py_convert::to_number(value);
      TG_CHECK(v, Type, "fill_() received an invalid combination of arguments - got (", Py_TYPE(value.ptr())->tp_name,
               "), but expected one of: (Tensor value) (Number value)");
    }
    return apply_inplace(self, [v](const Tensor& s) { return fill(s, *v); });
  }, py::arg("value"));
  cls.def("copy_", [](const Tensor& self, const Tensor& src) {
    return apply_inplace(self, [&](const Tensor& s) { return copy(s, src); });
  }, py::arg("src"));
  for (const char* fname : {"clamp_", "clip_"}) {
    auto clamp_ = [fname](const Tensor& self, hint::OptTensorOrNumber lo, hint::OptTensorOrNumber hi) {
      // Number bounds that promote self (a float bound on an int64 self, an int one on a bool
      // self) give a result self cannot hold: PyTorch's wording for the number overload (tensor
      // bounds get apply_inplace's).
      std::optional<Scalar> nlo = py_convert::to_number(lo), nhi = py_convert::to_number(hi);
      if ((nlo || nhi) && !py::isinstance<TensorImpl>(lo) && !py::isinstance<TensorImpl>(hi)) {
        const Scalar any = nlo ? *nlo : *nhi;
        const DType d = result_type(self, scalar_tensor(nlo ? *nlo : any), scalar_tensor(nhi ? *nhi : any));
        TG_CHECK(promote(d, self.dtype()) == self.dtype() || is_floating(self.dtype()), Runtime, "result type ",
                 dtype_legacy_name(d), " can't be cast to the desired output type ", dtype_scalar_name(self.dtype()));
      }
      return apply_inplace(self, [&](const Tensor& s) { return clamp_any(s, lo, hi, fname); });
    };
    cls.def(fname, clamp_, py::arg("min") = py::none(), py::arg("max") = py::none());
  }
}

}  // namespace

void bind_math(py::module_& m) {
  auto cls = py::reinterpret_borrow<TensorClass>(m.attr("Tensor"));
  bind_pointwise(m, cls);
  bind_closeness(m, cls);
  bind_reductions(m, cls);
  bind_inplace(cls);
}

}  // namespace tg::bindings
