// Bindings of the ops that pick, join and split parts of tensors (select, narrow, flatten, cat,
// split, gather, scatter, masked_fill, ...). x[key] and x[key] = v are index_key.cpp's.
#include "bindings/module.h"
#include "ops/view_history.h"

namespace tg::bindings {

namespace {

using TensorClass = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

}  // namespace

void bind_indexing(py::module_& m) {
  auto cls = py::reinterpret_borrow<TensorClass>(m.attr("Tensor"));
  auto select_fn = [](const Tensor& a, int64_t dim, int64_t index) { return select(a, dim, index); };
  m.def("select", select_fn, py::arg("input"), py::arg("dim"), py::arg("index"));
  cls.def("select", select_fn, py::arg("dim"), py::arg("index"));
  auto narrow_fn = [](const Tensor& a, int64_t dim, int64_t start, int64_t length) {
    return narrow(a, dim, start, length);
  };
  m.def("narrow", narrow_fn, py::arg("input"), py::arg("dim"), py::arg("start"), py::arg("length"));
  cls.def("narrow", narrow_fn, py::arg("dim"), py::arg("start"), py::arg("length"));
  auto flatten_fn = [](const Tensor& a, int64_t start, int64_t end) {
    start = wrap_dim(start, a.dim());
    end = wrap_dim(end, a.dim());
    if (a.dim() == 0) return reshape(a, {1});
    TG_CHECK(start <= end, Runtime, "flatten() has invalid args: start_dim cannot come after end_dim");
    Shape sizes;
    for (int64_t d = 0; d < start; ++d) sizes.push_back(a.sizes()[d]);
    int64_t n = 1;
    for (int64_t d = start; d <= end; ++d) n *= a.sizes()[d];
    sizes.push_back(n);
    for (int64_t d = end + 1; d < a.dim(); ++d) sizes.push_back(a.sizes()[d]);
    return start == end ? a : reshape(a, sizes);
  };
  m.def("flatten", flatten_fn, py::arg("input"), py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  cls.def("flatten", flatten_fn, py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  auto unflatten_fn = [](const Tensor& a, int64_t dim, hint::Shape sizes) {
    Shape inner = py_convert::shape_from_sequence(sizes, "unflatten");
    TG_CHECK(!inner.empty(), Runtime, "unflatten: sizes must be non-empty");
    int64_t d = wrap_dim(dim, a.dim());
    TG_CHECK(a.dim() > 0, Runtime, "unflatten got an unexpected error:\nDimension specified as ", dim,
             " but tensor has no dimensions");
    Shape shape(a.sizes().begin(), a.sizes().begin() + d);
    int64_t known = 1;
    bool overflow = false, inferred = false;
    for (int64_t s : inner)
      if (s != -1) overflow |= __builtin_mul_overflow(known, s, &known);
      else inferred = true;
    TG_CHECK(inferred || (!overflow && known == a.size(d)), Runtime, "unflatten: Provided sizes ", shape_str(inner),
             " don't multiply up to the size of dim ", dim, " (", a.size(d), ") in the input tensor");
    Shape resolved = infer_size(inner, a.size(d));
    for (int64_t s : resolved) shape.push_back(s);
    for (int64_t i = d + 1; i < a.dim(); ++i) shape.push_back(a.sizes()[i]);
    return view(a, shape);
  };
  auto tensors = [](py::handle seq) {
    TG_CHECK(py::isinstance<py::sequence>(seq) && !py::isinstance<TensorImpl>(seq), Type,
             "expected a sequence of Tensors, not ", Py_TYPE(seq.ptr())->tp_name);
    TensorList ts;
    for (py::handle h : seq) ts.push_back(h.cast<Tensor>());
    return ts;
  };
  for (const char* name : {"cat", "concat", "concatenate"})
    m.def(name, [tensors](hint::Tensors seq, int64_t dim) { return cat(tensors(seq), dim); }, py::arg("tensors"),
          py::arg("dim") = 0);
  m.def("stack", [tensors](hint::Tensors seq, int64_t dim) { return stack(tensors(seq), dim); }, py::arg("tensors"),
        py::arg("dim") = 0);
  auto split_fn = [](const Tensor& a, hint::SplitSizes size, int64_t dim) -> hint::TensorTuple {
    TensorList parts = py::isinstance<py::int_>(size) ? split(a, size.cast<int64_t>(), dim)
                                                      : split_with_sizes(a, py_convert::shape_from_sequence(size, "split"), dim);
    return py::tuple(py::cast(parts));
  };
  m.def("split", split_fn, py::arg("tensor"), py::arg("split_size_or_sections"), py::arg("dim") = 0);
  cls.def("split", split_fn, py::arg("split_size"), py::arg("dim") = 0);
  auto chunk_fn = [](const Tensor& a, int64_t chunks, int64_t dim) -> hint::TensorTuple {
    return py::tuple(py::cast(chunk(a, chunks, dim)));
  };
  m.def("chunk", chunk_fn, py::arg("input"), py::arg("chunks"), py::arg("dim") = 0);
  cls.def("chunk", chunk_fn, py::arg("chunks"), py::arg("dim") = 0);
  auto unbind_fn = [](const Tensor& a, int64_t dim) -> hint::TensorTuple {
    return py::tuple(py::cast(unbind(a, dim)));
  };
  m.def("unbind", unbind_fn, py::arg("input"), py::arg("dim") = 0);
  cls.def("unbind", unbind_fn, py::arg("dim") = 0);
  cls.def("repeat", [](const Tensor& a, hint::SizeArgs sizes) {
    return repeat(a, py_convert::shape_from_args(sizes, "repeat"));
  });
  auto flip_fn = [](const Tensor& a, py::handle dims) { return flip(a, *py_convert::dims_from_object(dims, "flip")); };
  m.def("flip", [flip_fn](const Tensor& a, hint::DimOrDims dims) { return flip_fn(a, dims); }, py::arg("input"),
        py::arg("dims"));
  cls.def("flip", [flip_fn](const Tensor& a, hint::DimsArgs dims) {
    TG_CHECK(dims.size() > 0, Type, "flip() missing 1 required positional arguments: \"dims\"");
    return flip_fn(a, dims.size() == 1 ? dims[0] : py::handle(dims));
  });
  auto gather_fn = [](const Tensor& a, int64_t dim, const Tensor& index) { return gather(a, dim, index); };
  m.def("gather", gather_fn, py::arg("input"), py::arg("dim"), py::arg("index"));
  cls.def("gather", gather_fn, py::arg("dim"), py::arg("index"));
  auto scatter_fn = [](const Tensor& a, int64_t dim, const Tensor& index, hint::TensorOrNumber src) {
    if (py::isinstance<TensorImpl>(src)) return scatter(a, dim, index, src.cast<Tensor>());
    std::optional<Scalar> v = py_convert::to_number(src);
    TG_CHECK(v, Type, "scatter() received an invalid combination of arguments - got (int, Tensor, ",
             Py_TYPE(src.ptr())->tp_name, "), but expected one of:\n * (int dim, Tensor index, Tensor src)\n"
             " * (int dim, Tensor index, Number value)\n");
    return scatter(a, dim, index, *v);
  };
  m.def("scatter", scatter_fn, py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("src"));
  cls.def("scatter", scatter_fn, py::arg("dim"), py::arg("index"), py::arg("src"));
  auto scatter_add_fn = [](const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
    return scatter_add(a, dim, index, src);
  };
  m.def("scatter_add", scatter_add_fn, py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("src"));
  cls.def("scatter_add", scatter_add_fn, py::arg("dim"), py::arg("index"), py::arg("src"));
  auto index_select_fn = [](const Tensor& a, int64_t dim, const Tensor& index) { return index_select(a, dim, index); };
  m.def("index_select", index_select_fn, py::arg("input"), py::arg("dim"), py::arg("index"));
  cls.def("index_select", index_select_fn, py::arg("dim"), py::arg("index"));
  // value: a number, or a 0-d tensor (differentiable, through where, when it requires grad).
  auto masked_fill_fn = [](const Tensor& a, const Tensor& mask, hint::TensorOrNumber value) {
    if (py::isinstance<TensorImpl>(value)) {
      Tensor v = value.cast<Tensor>();
      TG_CHECK(v.dim() == 0, Runtime, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
               v.dim(), " dimension(s).");
      refresh_view_history(v);
      if (v.requires_grad()) {
        TG_CHECK(mask.dtype() == DType::Bool, Runtime,
                 "masked_fill_ only supports boolean masks, but got mask with dtype ", dtype_scalar_name(mask.dtype()));
        return where(mask, to_dtype(v, a.dtype()), a);
      }
      return masked_fill(a, mask, py_convert::to_scalar(v));  // exact; checked against a's dtype
    }
    std::optional<Scalar> number = py_convert::to_number(value);
    TG_CHECK(number, Type,
             "masked_fill() received an invalid combination of arguments - got (Tensor, ", Py_TYPE(value.ptr())->tp_name,
             "), but expected one of:\n * (Tensor mask, Tensor value)\n * (Tensor mask, Number value)");
    return masked_fill(a, mask, *number);
  };
  m.def("masked_fill", masked_fill_fn, py::arg("input"), py::arg("mask"), py::arg("value"));
  cls.def("masked_fill", masked_fill_fn, py::arg("mask"), py::arg("value"));
  cls.def("masked_fill_", [masked_fill_fn](const Tensor& self, const Tensor& mask, hint::TensorOrNumber value) {
    broadcast_shapes(self.sizes(), mask.sizes());  // in place, PyTorch names self first in a mismatch
    return apply_inplace(self, [&](const Tensor& s) { return masked_fill_fn(s, mask, value); });
  }, py::arg("mask"), py::arg("value"));
  m.def("unflatten", unflatten_fn, py::arg("input"), py::arg("dim"), py::arg("sizes"));
  cls.def("unflatten", unflatten_fn, py::arg("dim"), py::arg("sizes"));
}

}  // namespace tg::bindings
