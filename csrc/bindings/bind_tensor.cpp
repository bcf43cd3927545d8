// tapegrad._C.Tensor: attributes, conversions and autograd state, all in C++. The operators
// (+, *, @, ...) are in tensor_operators.cpp; methods that are ops (x.exp(), x.sum(...)) are
// bound in bind_ops.cpp from the same table as the module functions.
#include "engine/engine.h"
#include "bindings/module.h"
#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "ops/view_history.h"

namespace tg::bindings {

namespace {

// The single value of a one-element tensor as a Python number.
hint::Number item(const Tensor& t) {
  TG_CHECK(t.numel() == 1, Runtime, "a Tensor with ", t.numel(), " elements cannot be converted to Scalar");
  return visit_dtype(t.dtype(), [&](auto tag) -> hint::Number {
    using T = typename decltype(tag)::type;
    return py::cast(*t.data<T>());
  });
}

// float(t) / int(t): Python's number protocol has its own wording in PyTorch.
py::object number(const Tensor& t, bool warn_if_grad = false) {
  TG_CHECK(t.numel() == 1, Value, "only one element tensors can be converted to Python scalars");
  // float(t) warns as PyTorch's does: the number leaves the graph (int(), item() stay quiet there).
  if (warn_if_grad && t.requires_grad() &&
      PyErr_WarnEx(PyExc_UserWarning,
                   "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                   "Consider using tensor.detach() first.",
                   1) != 0)
    throw py::error_already_set();
  return item(t);
}

// requires_grad's value is a hint::Flag: any object as far as pybind11 is concerned (checked
// here, so that a wrong type gets PyTorch's error), printed as bool in the stubs.
using BoolArg = hint::Flag;

void check_numpy_allowed(const Tensor& t) {
  refresh_view_history(t);
  TG_CHECK(!t.requires_grad(), Runtime,
           "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
}

}  // namespace

void bind_dtypes(py::module_& m) {
  py::enum_<DType> cls(m, "dtype");
  cls
      .value("bool", DType::Bool)
      .value("int64", DType::Int64)
      .value("float32", DType::Float32)
      .value("float64", DType::Float64)
      .def("__repr__", [](DType d) { return std::string("tapegrad.") + dtype_name(d); })
      .def("__str__", [](DType d) { return std::string("tapegrad.") + dtype_name(d); })
      .def_property_readonly("is_floating_point", [](DType d) { return is_floating(d); })
      .def_property_readonly("itemsize", [](DType d) { return itemsize(d); })
      .def_property_readonly("is_signed", [](DType d) { return d != DType::Bool; })
      .def_property_readonly("is_complex", [](DType) { return false; });
  py_convert::set_dtype_objects(cls);
  // The runtime default float dtype (core/dtype.h); tapegrad.set_default_dtype checks its
  // argument's type first, so only a non-floating dtype reaches the core's check.
  m.def("_set_default_dtype", [](DType d) { set_default_float(d); }, py::arg("d"));
  m.def("_get_default_dtype", [] { return default_float(); });
}

namespace {

// Note [Tensors and Python's GC]: a Python hook or a custom Function's backward can refer back
// to the tensor whose graph holds it (`y.register_hook(lambda g: g * y)`, `ctx.out = out`).
// That cycle runs through C++ (tensor -> grad_fn -> hook), where Python's collector cannot see
// it. So Tensor objects take part in GC: while a Python tensor is the only owner of its C++
// tensor, and that tensor the only owner of its grad_fn, traversal reports the Python objects
// the node (or the leaf's hooks) keeps alive; clearing drops the tensor's history.
int visit_refs(const std::vector<std::weak_ptr<void>>& refs, visitproc visit, void* arg) {
  for (const auto& w : refs)
    if (auto p = w.lock()) Py_VISIT(static_cast<PyObject*>(p.get()));
  return 0;
}

int tensor_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  auto* holder = py_convert::detail::holder_of(self);
  if (!holder || holder->use_count() != 1 || !(*holder)->autograd) return 0;
  AutogradMeta& meta = *(*holder)->autograd;
  if (int r = visit_refs(meta.foreign_refs, visit, arg)) return r;
  if (meta.grad_fn && meta.grad_fn.use_count() == 1) return visit_refs(meta.grad_fn->foreign_refs, visit, arg);
  return 0;
}

int tensor_clear(PyObject* self) {
  auto* holder = py_convert::detail::holder_of(self);
  if (!holder || holder->use_count() != 1 || !(*holder)->autograd) return 0;
  AutogradMeta& meta = *(*holder)->autograd;
  release_node(std::move(meta.grad_fn));
  meta.hooks.reset();
  meta.foreign_refs.clear();
  return 0;
}

// PyTorch's set_(storage, offset, size, stride): a leaf over `base`'s storage with any layout
// that stays inside it. Pickling, deepcopy and tapegrad.load rebuild each view of a saved
// storage with it, so views keep sharing memory (and the version counter) as in PyTorch; the
// check keeps a layout read from a file from reaching outside the buffer.
Tensor storage_view(const Tensor& base, const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides,
                    int64_t offset) {
  TG_CHECK(sizes.size() == strides.size(), Runtime, "mismatch in length of strides and shape");
  TG_CHECK(offset >= 0, Runtime, "Tensor: invalid storage offset ", offset);
  const int64_t item = (int64_t)itemsize(base.dtype());
  bool empty = false;
  int64_t last = offset;  // the highest element index the layout reaches
  bool overflow = false;
  int64_t numel = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    TG_CHECK(sizes[i] >= 0, Runtime, "Trying to create tensor with negative dimension ", sizes[i]);
    TG_CHECK(strides[i] >= 0, Runtime, "as_strided: Negative strides are not supported at the moment, got strides: ",
             shape_str(Shape(strides.begin(), strides.end())));
    if (sizes[i] == 0) empty = true;
    // An expanded (stride 0) view reaches little memory but must still count its elements.
    TG_CHECK(!__builtin_mul_overflow(numel, sizes[i], &numel), Runtime, "Tensor: sizes ",
             shape_str(Shape(sizes.begin(), sizes.end())), " have more elements than int64 can count");
    int64_t reach = 0;
    if (sizes[i] > 0) overflow |= __builtin_mul_overflow(sizes[i] - 1, strides[i], &reach);
    overflow |= __builtin_add_overflow(last, reach, &last);
  }
  int64_t needed = 0;  // an empty view reads nothing, wherever it starts (as in PyTorch)
  if (!empty) overflow |= __builtin_add_overflow(last, 1, &needed) || __builtin_mul_overflow(needed, item, &needed);
  const int64_t have = (int64_t)base.storage()->nbytes();
  TG_CHECK(!overflow && needed <= have, Runtime, "setStorage: sizes ", shape_str(Shape(sizes.begin(), sizes.end())),
           ", strides ", shape_str(Shape(strides.begin(), strides.end())), ", storage offset ", offset,
           ", and itemsize ", item, " requiring a storage size of ",
           overflow ? std::string("more than 2**63") : std::to_string(needed),
           " are out of bounds for storage of size ", have);
  return Tensor::view_of(base, Shape(sizes.begin(), sizes.end()), Shape(strides.begin(), strides.end()), offset);
}

}  // namespace

void bind_tensor(py::module_& m) {
  py::class_<TensorImpl, std::shared_ptr<TensorImpl>> cls(m, "Tensor", py::custom_type_setup([](PyHeapTypeObject* heap) {
    auto* type = &heap->ht_type;
    type->tp_flags |= Py_TPFLAGS_HAVE_GC;
    type->tp_traverse = tensor_traverse;
    type->tp_clear = tensor_clear;
    type->tp_dealloc = py_convert::tensor_dealloc;
  }));
  cls.def_property_readonly("shape",
                            [](const Tensor& t) -> hint::SizeResult { return py_convert::size_object(t.sizes()); })
      // size(dim)/stride(dim) and size()/stride() are two overloads each, so that the stubs
      // say what each returns (an int, a Size or tuple); the int one first, as the more used.
      .def("size", [](const Tensor& t, int64_t dim) { return t.size(dim); }, py::arg("dim"))
      .def("size", [](const Tensor& t, py::none) -> hint::SizeResult { return py_convert::size_object(t.sizes()); },
           py::arg("dim") = py::none())
      .def("stride", [](const Tensor& t, int64_t dim) { return t.stride(dim); }, py::arg("dim"))
      .def("stride",
           [](const Tensor& t, py::none) -> hint::StridesResult {
             py::tuple out(t.dim());
             for (int64_t i = 0; i < t.dim(); ++i) out[i] = py::int_(t.strides()[i]);
             return out;
           },
           py::arg("dim") = py::none())
      .def("storage_offset", [](const Tensor& t) { return t.offset(); })
      .def("dim", [](const Tensor& t) { return t.dim(); })
      .def_property_readonly("ndim", [](const Tensor& t) { return t.dim(); })
      .def("numel", [](const Tensor& t) { return t.numel(); })
      .def("nelement", [](const Tensor& t) { return t.numel(); })
      .def_property_readonly("dtype", [](const Tensor& t) { return t.dtype(); })
      .def("is_contiguous", [](const Tensor& t) { return t.is_contiguous(); })
      .def("is_floating_point", [](const Tensor& t) { return is_floating(t.dtype()); })
      .def("element_size", [](const Tensor& t) { return itemsize(t.dtype()); })
      .def("data_ptr", [](const Tensor& t) { return (uintptr_t)t.raw_data(); })
      .def("_version_counter", [](const Tensor& t) { return t.version(); })
      .def_property_readonly("_version", [](const Tensor& t) { return t.version(); })
      .def("__len__",
           [](const Tensor& t) {
             TG_CHECK(t.dim() > 0, Type, "len() of a 0-d tensor");
             return t.sizes()[0];
           })
      .def("item", &item)
      .def("__float__", [](const Tensor& t) { return number(t, /*warn_if_grad=*/true).cast<double>(); })
      .def("__int__", [](const Tensor& t) { return py::int_(number(t)); })
      .def("__index__",
           [](const Tensor& t) {
             TG_CHECK(t.numel() == 1 && !is_floating(t.dtype()), Type,
                      "only integer tensors of a single element can be converted to an index");
             return py::int_(item(t));
           })
      .def("__bool__",
           [](const Tensor& t) {
             TG_CHECK(t.numel() != 0, Runtime, "Boolean value of Tensor with no values is ambiguous");
             TG_CHECK(t.numel() == 1, Runtime, "Boolean value of Tensor with more than one value is ambiguous");
             return item(t).cast<bool>();
           })
      .def("__hash__", [](py::handle self) { return (py::ssize_t)(uintptr_t)self.ptr(); })
      .def("numpy",  // force=True: also for a tensor that requires grad (its data, detached), as torch's
           [](const Tensor& t, bool force) {
             if (!force) check_numpy_allowed(t);
             return py_convert::to_numpy(t);
           },
           py::kw_only(), py::arg("force") = false)
      .def("tolist", [](const Tensor& t) { return py_convert::to_numpy(t).attr("tolist")(); })
      // ---- autograd state ----
      .def_property(
          "requires_grad",
          [](const Tensor& t) {
            refresh_view_history(t);
            return t.requires_grad();
          },
          [](const Tensor& t, BoolArg flag) {
            TG_CHECK(PyBool_Check(flag.ptr()), Runtime, "requires_grad must be a bool");
            bool on = flag.ptr() == Py_True;
            refresh_view_history(t);
            // The attribute has PyTorch's newer wording; requires_grad_() keeps the older one.
            TG_CHECK(!on || t.is_leaf(), Runtime, "you can only change requires_grad flags of leaf variables.");
            TG_CHECK(on || t.is_leaf(), Runtime,
                     "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                     "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
            TG_CHECK(!on || is_floating(t.dtype()), Runtime,
                     "only Tensors of floating point and complex dtype can require gradients");
            t.set_requires_grad(on);
          })
      .def("requires_grad_",
           [](const Tensor& t, BoolArg flag) {
             TG_CHECK(PyBool_Check(flag.ptr()), Type, "requires_grad_(): argument 'requires_grad' (position 1) must be bool, not ",
                      Py_TYPE(flag.ptr())->tp_name);
             refresh_view_history(t);
             t.set_requires_grad(flag.ptr() == Py_True);
             return t;
           },
           py::arg("requires_grad") = true)
      .def_property_readonly("is_leaf",
                             [](const Tensor& t) {
                               refresh_view_history(t);
                               return t.is_leaf();
                             })
      .def_property_readonly("grad_fn",
                             [](const Tensor& t) -> hint::OptNode {
                               refresh_view_history(t, /*strict=*/true);
                               return node_object(t.grad_fn());
                             })
      .def_property(
          "grad", [](const Tensor& t) -> hint::OptTensor { return py::cast(t.grad()); },
          [](const Tensor& t, hint::OptTensor g) {
            TG_CHECK(g.is_none() || py::isinstance<TensorImpl>(g), Type,
                     "assigned grad expected to be a Tensor or None but got grad of type ", Py_TYPE(g.ptr())->tp_name);
            t.set_grad(g.is_none() ? Tensor() : g.cast<Tensor>());
          })
      .def_property(
          "data", [](const Tensor& t) { return t.data_alias(); },
          [](const Tensor& t, hint::TensorResult src_obj) {
            TG_CHECK(py::isinstance<TensorImpl>(src_obj), Type, "Variable data has to be a tensor, but got ",
                     Py_TYPE(src_obj.ptr())->tp_name);
            Tensor src = src_obj.cast<Tensor>();
            refresh_view_history(t);
            TG_CHECK(!t.requires_grad() || is_floating(src.dtype()), Runtime,
                     "data set to a tensor that requires gradients must be floating point or complex dtype");
            // Rebinds t to src's memory and layout; t's history and grad flag stay.
            TensorImpl* impl = t.impl();
            bool same_meta = impl->sizes == src.sizes() && impl->dtype == src.dtype();
            impl->storage = src.storage();
            impl->sizes = src.sizes();
            impl->strides = src.strides();
            impl->offset = src.offset();
            impl->dtype = src.dtype();
            impl->refresh_layout();
            // The leaf's accumulator recorded the old shape and dtype: graphs built from now on
            // get a new one that matches (as in PyTorch, where .data resets it).
            if (!same_meta && impl->autograd) impl->autograd->grad_accumulator.reset();
          })
      .def("detach", [](const Tensor& t) { return t.detach(); })
      .def("detach_",
           [](const Tensor& t) {
             TG_CHECK(!t.impl()->view_base, Runtime,
                      "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                      "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                      "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
                      "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
             t.detach_();
             return t;
           })
      .def("backward",
           [](const Tensor& t, hint::OptTensorOrNumber gradient, std::optional<bool> retain_graph, bool create_graph,
              hint::OptTensors inputs) {
             // PyTorch's gradient: a Tensor, None, or a sequence holding one of those.
             Tensor g;
             if (py::isinstance<py::list>(gradient) || py::isinstance<py::tuple>(gradient)) {
               for (py::handle h : gradient)
                 TG_CHECK(h.is_none() || py::isinstance<TensorImpl>(h), Type,
                          "gradients can be either Tensors or None, but got ", Py_TYPE(h.ptr())->tp_name);
               TG_CHECK(py::len(gradient) == 1, Runtime, "got ", py::len(gradient), " gradients for 1 tensors");
               gradient = hint::OptTensorOrNumber(py::object(gradient[py::int_(0)]));
             }
             if (py::isinstance<TensorImpl>(gradient)) {
               g = gradient.cast<Tensor>();
             } else {
               TG_CHECK(gradient.is_none(), Type, "'", Py_TYPE(gradient.ptr())->tp_name, "' object is not iterable");
             }
             TensorList wanted;
             if (!inputs.is_none()) {
               if (py::isinstance<TensorImpl>(inputs)) wanted.push_back(inputs.cast<Tensor>());
               else
                 for (py::handle in : inputs) wanted.push_back(in.cast<Tensor>());
               TG_CHECK(!wanted.empty(), Runtime, "`inputs` argument to `backward()` cannot be empty.");
             }
             if (create_graph) warn_create_graph_backward();
             py::gil_scoped_release no_gil;
             backward(t, g, retain_graph, create_graph, wanted);
           },
           py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(),
           py::arg("create_graph") = false, py::arg("inputs") = py::none());
  bind_tensor_operators(m, cls);

  m.def("_set_size_class", &py_convert::set_size_class, py::arg("cls"));
  // A storage's identity (while it lives) and size, for grouping the views of one storage.
  m.def("_storage_key", [](const Tensor& t) { return (uintptr_t)t.storage().get(); }, py::arg("self"));
  m.def("_storage_nbytes", [](const Tensor& t) { return t.storage()->nbytes(); }, py::arg("self"));
  m.def("_storage_view", &storage_view, py::arg("base"), py::arg("size"), py::arg("stride"), py::arg("storage_offset"));
}

}  // namespace tg::bindings
