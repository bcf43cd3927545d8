// Reading and writing at index tensors and masks: take, take_along_dim, masked_select,
// masked_scatter, index_add, index_copy, index_fill (the last three with in-place forms).
// Each checks its index as PyTorch does (dtype, rank, bounds, with its wording) before
// anything is written, then runs on index()/index_put() (index.cpp), whose backward formulas
// are tapegrad ops.
#include <string>

#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

// `index` as the key of advanced indexing along `dim` (whole dims before it).
std::vector<Tensor> key_at(int64_t dim, const Tensor& index) {
  std::vector<Tensor> key(dim + 1);
  key.back() = index.dim() == 0 ? reshape(index, {1}) : index;
  return key;
}

// The flat positions where a bool mask is true, as an int64 vector.
Tensor true_positions(const Tensor& mask) {
  const Tensor m = kernels::contiguous_copy(mask);
  const bool* p = m.data<bool>();
  int64_t n = 0;
  for (int64_t i = 0; i < m.numel(); ++i) n += p[i];
  Tensor out = Tensor::empty({n}, DType::Int64);
  int64_t* o = out.data<int64_t>();
  for (int64_t i = 0, k = 0; i < m.numel(); ++i)
    if (p[i]) o[k++] = i;
  return out;
}

// Every index in [-size, size) (wrap) or [0, size); the first one outside, or nothing.
std::optional<int64_t> out_of_bounds(const Tensor& index, int64_t size, bool wrap) {
  const Tensor idx = kernels::contiguous_copy(index);
  const int64_t* p = idx.data<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i)
    if (p[i] >= size || p[i] < (wrap ? -size : 0)) return p[i];
  return std::nullopt;
}

// Negative indices counted from the end (index_put wraps them too; done here so that saved
// indices and gradients agree).
Tensor wrapped(const Tensor& index, int64_t size) {
  Tensor idx = kernels::contiguous_copy(index);
  int64_t* p = idx.data<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i)
    if (p[i] < 0) p[i] += size;
  return idx;
}

}  // namespace

struct Take {
  static constexpr const char* name = "take";
  static constexpr const char* node = "TakeBackward0";
  static constexpr Schema schema{"take(Tensor input, Tensor index, *, Tensor? out=None)", kFunction | kMethod};
  struct Saved {
    Tensor index;
    Shape sizes;
  };
  static Tensor flat_index(const Tensor& a, const Tensor& index) {
    TG_CHECK(index.dtype() == DType::Int64, Runtime, "take(): Expected a long tensor for index, but got ",
             dtype_legacy_name(index.dtype()));
    TG_CHECK(a.numel() > 0 || index.numel() == 0, Index, "take(): tried to take from an empty tensor");
    if (auto bad = out_of_bounds(index, a.numel(), true))
      TG_ERROR(Index, "out of range: tried to access index ", *bad, " on a tensor of ", a.numel(), " elements.");
    return wrapped(index, a.numel());
  }
  static Tensor forward(const Tensor& a, const Tensor& index) {
    return ::tg::index(reshape(a, {-1}), {flat_index(a, index)});
  }
  static void save(Saved& s, const Tensor& a, const Tensor& index, const Tensor&) {
    s.index = flat_index(a, index), s.sizes = a.sizes();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor flat = zeros({numel_of(s.sizes)}, grad.dtype());
    return {reshape(index_put(flat, {s.index}, grad, /*accumulate=*/true), s.sizes), Tensor()};
  }
};

struct MaskedSelect {
  static constexpr const char* name = "masked_select";
  static constexpr const char* node = "MaskedSelectBackward0";
  static constexpr Schema schema{"masked_select(Tensor input, Tensor mask, *, Tensor? out=None)", kFunction | kMethod};
  struct Saved {
    Tensor positions;
    Shape shape, sizes;
  };
  static Tensor forward(const Tensor& a, const Tensor& mask) {
    TG_CHECK(mask.dtype() == DType::Bool, Runtime, "masked_select: expected BoolTensor for mask");
    const Shape shape = broadcast_shapes(mask.sizes(), a.sizes());  // PyTorch's order, for its message
    return ::tg::index(reshape(expand(a, shape), {-1}), {true_positions(expand(mask, shape))});
  }
  static void save(Saved& s, const Tensor& a, const Tensor& mask, const Tensor&) {
    s.shape = broadcast_shapes(a.sizes(), mask.sizes()), s.sizes = a.sizes();
    s.positions = true_positions(expand(mask, s.shape));
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    const Tensor flat = index_put(zeros({numel_of(s.shape)}, grad.dtype()), {s.positions}, grad, false);
    return {sum_to(reshape(flat, s.shape), s.sizes), Tensor()};
  }
};

Tensor masked_select(const Tensor& a, const Tensor& mask) { return apply_op<MaskedSelect>(a, mask); }

struct MaskedScatter {
  static constexpr const char* name = "masked_scatter";
  static constexpr const char* node = "MaskedScatterBackward0";
  static constexpr Schema schema{"masked_scatter(Tensor input, Tensor mask, Tensor source)",
                                 kFunction | kMethod | kInPlace};
  struct Saved {
    Tensor mask, positions;
    Shape sizes, source_sizes;
  };
  static Tensor forward(const Tensor& a, const Tensor& mask, const Tensor& source) {
    TG_CHECK(mask.dtype() == DType::Bool, Runtime, "masked_scatter_ only supports boolean masks, but got mask with dtype ",
             dtype_legacy_name(mask.dtype()));
    TG_CHECK(a.dtype() == source.dtype(), Runtime, "masked_scatter: expected self and source to have same dtypes but got",
             dtype_legacy_name(a.dtype()), " and ", dtype_legacy_name(source.dtype()));
    const Shape shape = broadcast_shapes(a.sizes(), mask.sizes());
    const Tensor positions = true_positions(expand(mask, shape));
    TG_CHECK(source.numel() >= positions.numel(), Runtime, "Number of elements of source < number of ones in mask");
    const Tensor values = narrow(reshape(source, {-1}), 0, 0, positions.numel());
    return reshape(index_put(reshape(contiguous(expand(a, shape)), {-1}), {positions}, values, false), shape);
  }
  static void save(Saved& s, const Tensor& a, const Tensor& mask, const Tensor& source, const Tensor& out) {
    s.mask = expand(mask, out.sizes()), s.positions = true_positions(s.mask);
    s.sizes = a.sizes(), s.source_sizes = source.sizes();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor ga, gs;
    if (needs[0]) ga = sum_to(where(s.mask, zeros({}, grad.dtype()), grad), s.sizes);
    if (needs[2]) {  // the first positions.numel() elements of source were read, in order
      const Tensor picked = ::tg::index(reshape(grad, {-1}), {s.positions});
      const int64_t rest = numel_of(s.source_sizes) - s.positions.numel();
      gs = reshape(cat({picked, zeros({rest}, grad.dtype())}, 0), s.source_sizes);
    }
    return {ga, Tensor(), gs};
  }
};

namespace {

// The index of index_add / index_copy / index_fill along dim (0-d inputs count as 1-d).
int64_t check_index_vector(const Tensor& a, int64_t dim, const Tensor& index, const char* fname) {
  const int64_t d = wrap_dim(dim, a.dim());
  TG_CHECK(index.dim() <= 1, Index, fname, ": Index is supposed to be a vector, but got dim: ", index.dim(),
           " with type: ", dtype_legacy_name(index.dtype()), " and size: ", shape_str(index.sizes()));
  return d;
}

int64_t size_at(const Tensor& t, int64_t d) { return t.dim() ? t.size(d) : 1; }

// source's shape must be self's with dim's size the number of indices.
void check_source_shape(const Tensor& a, int64_t d, const Tensor& source) {
  bool ok = source.dim() == a.dim() || (source.dim() <= 1 && a.dim() <= 1);
  for (int64_t k = 0; ok && k < a.dim(); ++k) ok = k == d || source.size(k) == a.size(k);
  TG_CHECK(ok, Runtime, "source tensor shape must match self tensor shape, excluding the specified dimension. Got "
           "self.shape = ", shape_str(a.sizes()), " source.shape = ", shape_str(source.sizes()));
}

Tensor put_along(const Tensor& a, int64_t d, const Tensor& index, const Tensor& values, bool accumulate) {
  if (a.dim() == 0) return reshape(index_put(reshape(a, {1}), key_at(0, index), reshape(values, {-1}), accumulate), {});
  return index_put(a, key_at(d, index), values, accumulate);
}

Tensor select_along(const Tensor& grad, int64_t d, const Tensor& index, const Shape& sizes) {
  return reshape(index_select(grad, d, index), sizes);
}

}  // namespace

struct IndexAdd {
  static constexpr const char* name = "index_add";
  static constexpr const char* node = "IndexAddBackward0";
  static constexpr Schema schema{
      "index_add(Tensor input, int dim, Tensor index, Tensor source, *, Number alpha=1, Tensor? out=None)",
      kFunction | kMethod | kInPlace};
  struct Saved {
    Tensor index;
    int64_t dim = 0;
    Shape source_sizes;
    double alpha = 1;
  };
  static Tensor forward(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha) {
    const int64_t d = check_index_vector(a, dim, index, "index_add_()");  // PyTorch's order of checks
    TG_CHECK(index.dtype() == DType::Int64, Runtime, "index_add_(): Expected dtype int32/int64 for index but got: ",
             dtype_legacy_name(index.dtype()));
    TG_CHECK(a.dtype() == source.dtype(), Runtime, "index_add_(): self (", dtype_legacy_name(a.dtype()),
             ") and source (", dtype_legacy_name(source.dtype()), ") must have the same scalar type");
    TG_CHECK(d == 0 || d < source.dim(), Runtime, "index_add_(): Indexing dim ", d,
             " is out of bounds of the source tensor with dim ", source.dim());
    // PyTorch reads a 0-d source's size at dim (an IndexError) unless one index is given.
    TG_CHECK(source.dim() > 0 || index.numel() == 1, Index, "Dimension specified as ", dim,
             " but tensor has no dimensions");
    TG_CHECK(index.numel() == size_at(source, d), Runtime, "index_add_(): Number of indices (", index.numel(),
             ") should be equal to source.size(dim): (", size_at(source, d), "), for dim: ", d);
    check_source_shape(a, d, source);
    if (a.numel() == 0) return kernels::contiguous_copy(a);  // PyTorch checks no bounds in an empty self
    if (auto bad = out_of_bounds(index, size_at(a, d), false)) {
      TG_CHECK(a.dim() > 0, Index, "index out of range in self");
      TG_ERROR(Runtime, "index ", *bad, " is out of bounds for dimension ", d, " with size ", size_at(a, d));
    }
    // alpha in the input's type: an integer tensor truncates it, as PyTorch does.
    const Tensor k = is_floating(a.dtype()) ? scalar_tensor(alpha.to_double())
                                            : scalar_tensor(Scalar::from_int(alpha.to<int64_t>()));
    return put_along(a, d, index, alpha.to_double() == 1 ? source : mul(source, k), true);
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha,
                   const Tensor&) {
    s.index = index, s.dim = a.dim() ? wrap_dim(dim, a.dim()) : 0, s.source_sizes = source.sizes();
    s.alpha = alpha.to_double();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor gs;
    if (needs[2]) {
      gs = select_along(grad, s.dim, s.index, s.source_sizes);
      if (s.alpha != 1) gs = gs * s.alpha;
    }
    return {needs[0] ? grad : Tensor(), Tensor(), gs};
  }
};

struct IndexFill;

struct IndexCopy {
  static constexpr const char* name = "index_copy";
  static constexpr const char* node = "IndexCopyBackward0";
  static constexpr Schema schema{"index_copy(Tensor input, int dim, Tensor index, Tensor source, *, Tensor? out=None)",
                                 kFunction | kMethod | kInPlace};
  struct Saved {
    Tensor index;
    int64_t dim = 0;
    Shape source_sizes;
  };
  static Tensor forward(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& source) {
    const int64_t d = wrap_dim(dim, a.dim());  // PyTorch's order of checks
    TG_CHECK(index.dim() <= 1, Index, "index_copy_(): Index should have dimension 1 or 0 (got ", index.dim(), ")");
    TG_CHECK(index.dtype() == DType::Int64, Runtime, "index_copy_(): Expected a long tensor for index, but got ",
             dtype_legacy_name(index.dtype()));
    TG_CHECK(a.dim() == 0 || source.dim() == 0 || a.dim() == source.dim(), Index,
             "index_copy_(): When source and destination are not scalars, their dimensionality must match. Source "
             "dimensionality (", source.dim(), "), destination dimensionality (", a.dim(), ")");
    TG_CHECK(source.dim() > 0 || index.numel() == 1, Index,
             "index_copy_(): When source is scalar, index should have one element (got ", index.numel(), ")");
    TG_CHECK(a.dtype() == source.dtype(), Runtime,
             "index_copy_(): self and source expected to have the same dtype, but got (self) ",
             dtype_legacy_name(a.dtype()), " and (source) ", dtype_legacy_name(source.dtype()));
    auto slice_shape = [](const Tensor& t, int64_t at) {  // t's sizes but at `at`, as PyTorch prints them
      std::string text;
      for (int64_t k = 0; k < t.dim(); ++k)
        if (k != at) text += (text.empty() ? "" : " ") + std::to_string(t.size(k));
      return text;
    };
    TG_CHECK(slice_shape(a, d) == slice_shape(source, std::min<int64_t>(d, std::max<int64_t>(source.dim() - 1, 0))),
             Runtime, "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: ",
             slice_shape(a, d), " at dimension ", d, " and source slice shape: ",
             slice_shape(source, std::min<int64_t>(d, std::max<int64_t>(source.dim() - 1, 0))), " at dimension 0.");
    TG_CHECK(index.numel() == size_at(source, d), Index, "index_copy_(): Number of indices (", index.numel(),
             ") should be equal to source.size(dim) (", size_at(source, d), ")");
    check_source_shape(a, d, source);
    if (auto bad = out_of_bounds(index, size_at(a, d), false))
      TG_ERROR(Index, "index_copy_(): index ", *bad, " is out of bounds for dimension ", d, " with size ",
               size_at(a, d));
    return put_along(a, d, index, source, false);
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& index, const Tensor& source, const Tensor&) {
    s.index = index, s.dim = a.dim() ? wrap_dim(dim, a.dim()) : 0, s.source_sizes = source.sizes();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs);
};

// index_fill with a number (IndexFillBackward0) or a 0-d tensor (IndexFillBackward1, whose
// value gets the sum of the filled places' gradients).
template <bool TensorValue>
struct IndexFillOf {
  static constexpr const char* name = TensorValue ? "index_fill_tensor" : "index_fill";
  static constexpr const char* node = TensorValue ? "IndexFillBackward1" : "IndexFillBackward0";
  static constexpr Schema schema{TensorValue ? "index_fill(Tensor input, int dim, Tensor index, Tensor value)"
                                             : "index_fill(Tensor input, int dim, Tensor index, Number value)",
                                 kFunction | kMethod | kInPlace};
  using Value = std::conditional_t<TensorValue, Tensor, Scalar>;
  struct Saved {
    Tensor index;
    int64_t dim = 0;
  };
  static Tensor checked_index(const Tensor& a, int64_t dim, const Tensor& index) {
    const int64_t d = a.dim() ? wrap_dim(dim, a.dim()) : wrap_dim(dim, 0);
    TG_CHECK(index.dim() <= 1, Runtime, "Index has to be a vector/scalar");
    TG_CHECK(index.dtype() == DType::Int64, Runtime, "index_fill_(): Expected dtype int64 for index.");
    if (auto bad = out_of_bounds(index, size_at(a, d), true)) {
      // An empty dim: PyTorch fails inside (a RuntimeError about storage), not with its IndexError.
      TG_CHECK(size_at(a, d) > 0, Runtime, "index ", *bad, " is out of bounds for dimension ", d, " with size 0");
      TG_ERROR(Index, "index ", *bad, " is out of bounds for dimension ", d, " with size ", size_at(a, d));
    }
    return wrapped(index, size_at(a, d));
  }
  static Tensor forward(const Tensor& a, int64_t dim, const Tensor& index, const Value& value) {
    Tensor v;
    if constexpr (TensorValue) {
      TG_CHECK(value.dim() == 0, Runtime, "index_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
               value.dim(), " dimension(s).");
      v = kernels::cast(value, a.dtype());
    } else {
      v = kernels::cast(scalar_tensor(value), a.dtype());
    }
    const Tensor idx = checked_index(a, dim, index);
    return put_along(a, a.dim() ? wrap_dim(dim, a.dim()) : 0, idx, v, false);
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& index, const Value&, const Tensor&) {
    s.index = checked_index(a, dim, index), s.dim = a.dim() ? wrap_dim(dim, a.dim()) : 0;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor ga = needs[0] ? put_along(grad, s.dim, s.index, zeros({}, grad.dtype()), false) : Tensor();
    if constexpr (!TensorValue) return {ga, Tensor()};
    else return {ga, Tensor(), needs[2] ? sum(index_select(grad, s.dim, s.index)) : Tensor()};
  }
};
using IndexFillNumber = IndexFillOf<false>;
using IndexFillTensor = IndexFillOf<true>;

TensorList IndexCopy::backward(Saved& s, const Tensor& grad, Needs needs) {
  return {needs[0] ? put_along(grad, s.dim, s.index, zeros({}, grad.dtype()), false) : Tensor(), Tensor(),
          needs[2] ? select_along(grad, s.dim, s.index, s.source_sizes) : Tensor()};
}

namespace {

// take_along_dim: gather after broadcasting input and indices against each other (all but
// `dim`); with no dim, over the flattened input.
Tensor take_along_dim(const Tensor& a, const Tensor& indices, std::optional<int64_t> dim) {
  TG_CHECK(indices.dtype() == DType::Int64, Runtime, "torch.take_along_dim(): dtype of indices should be Long but got ",
           dtype_legacy_name(indices.dtype()));
  if (!dim) return gather(reshape(a, {-1}), 0, reshape(indices, {-1}));
  TG_CHECK(a.dim() == indices.dim(), Runtime,
           "torch.take_along_dim(): input and indices should have the same number of dimensions, but got ", a.dim(),
           " dimensions for input, and ", indices.dim(), " dimensions for indices");
  const int64_t d = wrap_dim(*dim, a.dim());
  Shape sa = a.sizes(), si = indices.sizes();
  if (a.dim()) sa[d] = si[d] = 1;
  Shape shape = broadcast_shapes(sa, si), shape_a = shape, shape_i = shape;
  if (a.dim()) shape_a[d] = a.size(d), shape_i[d] = indices.size(d);
  return gather(expand(a, shape_a), d, expand(indices, shape_i));
}

// index_put with PyTorch's list of index tensors: bool masks become the int64 positions of
// their true elements (one index tensor per mask dim), as advanced indexing reads them.
Tensor index_put_list(const Tensor& a, const TensorList& indices, const Tensor& values, bool accumulate) {
  TG_CHECK(!indices.empty(), Runtime, "index_put(): at least one index tensor is needed");
  std::vector<Tensor> key;
  int64_t at = 0;  // the dim of `a` the next index tensor indexes
  for (const Tensor& t : indices) {
    if (t.dtype() == DType::Int64) {
      key.push_back(t), ++at;
      continue;
    }
    TG_CHECK(t.dtype() == DType::Bool, Index, "tensors used as indices must be long, int, byte or bool tensors");
    for (int64_t k = 0; k < t.dim() && at + k < a.dim(); ++k)
      TG_CHECK(t.size(k) == a.size(at + k), Index, "The shape of the mask ", shape_str(t.sizes()), " at index ", k,
               " does not match the shape of the indexed tensor ", shape_str(a.sizes()), " at index ", at + k);
    at += t.dim();
    const Tensor flat = true_positions(t);
    const Shape strides = contiguous_strides(t.sizes());
    for (int64_t d = 0; d < t.dim(); ++d) {  // unravel the flat positions into one index per dim
      Tensor idx = Tensor::empty({flat.numel()}, DType::Int64);
      for (int64_t k = 0; k < flat.numel(); ++k)
        idx.data<int64_t>()[k] = flat.data<int64_t>()[k] / strides[d] % t.size(d);
      key.push_back(idx);
    }
  }
  return index_put(a, key, values, accumulate);
}

}  // namespace

void register_index_ops(std::vector<OpInfo>& ops) {
  register_ops<Take, MaskedSelect, MaskedScatter, IndexAdd, IndexCopy, IndexFillTensor, IndexFillNumber>(ops);
  register_functions(ops, {{{"take_along_dim(Tensor input, Tensor indices, int? dim=None, *, Tensor? out=None)",
                             kFunction | kMethod},
                            invoke_fn<&take_along_dim>},
                           {{"index_put(Tensor input, Tensor[] indices, Tensor values, bool accumulate=False)",
                             kFunction | kMethod | kInPlace},
                            invoke_fn<&index_put_list>}});
}

}  // namespace tg
