// Ops over lists of tensors, or giving several: hstack, vstack/row_stack, dstack,
// column_stack, atleast_1d/2d/3d, broadcast_tensors, meshgrid, cartesian_prod, block_diag
// (its own node), tensor_split, hsplit, vsplit, dsplit. All but block_diag are composed from
// cat, stack, views and slices, recorded as PyTorch records them.
#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

Tensor masked_select(const Tensor& a, const Tensor& mask);  // index_ops.cpp

namespace {

Tensor atleast_1d(const Tensor& a) { return a.dim() >= 1 ? a : reshape(a, {1}); }
Tensor atleast_2d(const Tensor& a) {
  if (a.dim() == 0) return reshape(a, {1, 1});
  return a.dim() == 1 ? unsqueeze(a, 0) : a;
}
Tensor atleast_3d(const Tensor& a) {
  if (a.dim() == 0) return reshape(a, {1, 1, 1});
  if (a.dim() == 1) return unsqueeze(unsqueeze(a, 0), -1);
  return a.dim() == 2 ? unsqueeze(a, -1) : a;
}
template <Tensor (*F)(const Tensor&)>
TensorList each(const TensorList& tensors) {
  TensorList out;
  for (const Tensor& t : tensors) out.push_back(F(t));
  return out;
}

void check_nonempty(const TensorList& tensors, const char* fname) {
  TG_CHECK(!tensors.empty(), Runtime, fname, " expects a non-empty TensorList");
}

Tensor hstack(const TensorList& tensors) {
  check_nonempty(tensors, "hstack");
  const TensorList t = each<atleast_1d>(tensors);
  return cat(t, t[0].dim() == 1 ? 0 : 1);
}
Tensor vstack(const TensorList& tensors) {
  check_nonempty(tensors, "vstack");
  return cat(each<atleast_2d>(tensors), 0);
}
Tensor dstack(const TensorList& tensors) {
  check_nonempty(tensors, "dstack");
  return cat(each<atleast_3d>(tensors), 2);
}
Tensor column_stack(const TensorList& tensors) {
  check_nonempty(tensors, "column_stack");
  TensorList t;
  for (const Tensor& x : tensors) t.push_back(x.dim() <= 1 ? reshape(x, {x.numel(), 1}) : x);
  return cat(t, 1);
}

TensorList broadcast_tensors(const TensorList& tensors) {
  Shape shape;
  for (const Tensor& t : tensors) shape = broadcast_shapes(shape, t.sizes());
  TensorList out;
  for (const Tensor& t : tensors) out.push_back(t.sizes() == shape ? t : expand(t, shape));
  return out;
}

TensorList meshgrid(const TensorList& tensors, std::optional<std::string_view> indexing) {
  check_nonempty(tensors, "meshgrid");
  const std::string_view mode = indexing ? *indexing : "ij";
  TG_CHECK(mode == "ij" || mode == "xy", Runtime,
           "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: ", mode);
  for (const Tensor& t : tensors) {
    TG_CHECK(t.dim() <= 1, Runtime, "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a tensor of "
             "size ", shape_str(t.sizes()));
    TG_CHECK(t.dtype() == tensors[0].dtype(), Runtime, "meshgrid expects all tensors to have the same dtype");
  }
  // xy: the first two inputs swap places in the grid's dims (cartesian, not matrix, indexing).
  const bool swap = mode == "xy" && tensors.size() >= 2;
  const size_t n = tensors.size();
  Shape grid;
  for (size_t i = 0; i < n; ++i) grid.push_back(tensors[swap && i < 2 ? 1 - i : i].numel());
  TensorList out;
  for (size_t i = 0; i < n; ++i) {
    const size_t at = swap && i < 2 ? 1 - i : i;
    Shape view_shape(n, 1);
    view_shape[at] = -1;
    out.push_back(expand(view(tensors[i], view_shape), grid));
  }
  return out;
}

Tensor cartesian_prod(const TensorList& tensors) {
  for (const Tensor& t : tensors)
    TG_CHECK(t.dim() == 1, Runtime, "Expect a 1D vector, but got shape ", shape_str(t.sizes()));
  if (tensors.size() == 1) return tensors[0];
  TensorList flat;
  for (const Tensor& g : meshgrid(tensors, "ij")) flat.push_back(reshape(g, {-1}));
  return stack(flat, 1);
}

// combinations: the r-element index tuples in increasing (non-decreasing, with replacement)
// order, selected from the r-dim meshgrid of the input, as PyTorch does.
Tensor combinations(const Tensor& a, int64_t r, bool with_replacement) {
  TG_CHECK(a.dim() == 1, Runtime, "Expect a 1D vector, but got shape ", shape_str(a.sizes()));
  TG_CHECK(r >= 0, Runtime, "Expect a non-negative number, but got ", r);
  if (r == 0) return Tensor::empty({0}, a.dtype());
  const Tensor positions = kernels::arange(Scalar::from_int(0), Scalar::from_int(a.size(0)), Scalar::from_int(1),
                                           DType::Int64);
  const TensorList index_grid = meshgrid(TensorList(r, positions), "ij");
  Tensor mask = ones(index_grid[0].sizes(), DType::Bool);
  for (int64_t k = 0; k + 1 < r; ++k)
    mask = logical_and(mask, with_replacement ? le(index_grid[k], index_grid[k + 1]) : lt(index_grid[k], index_grid[k + 1]));
  TensorList picked;
  for (const Tensor& g : meshgrid(TensorList(r, a), "ij")) picked.push_back(masked_select(g, mask));
  return stack(picked, 1);
}

}  // namespace

// block_diag: each input (as a matrix) on the diagonal of a zero matrix, in the inputs'
// promoted dtype; each gradient is its block of the output's.
struct BlockDiag {
  static constexpr const char* name = "block_diag";
  static constexpr const char* node = "BlockDiagBackward0";
  struct Saved {
    std::vector<Shape> sizes;
    std::vector<int64_t> rows, cols;  // where each block starts
  };
  static Tensor as_matrix(const Tensor& t) {
    return t.dim() == 2 ? t : t.dim() == 1 ? reshape(t, {1, t.numel()}) : reshape(t, {1, 1});
  }
  static Tensor forward(const TensorList& tensors) {
    if (tensors.empty()) return zeros({1, 0});  // PyTorch's empty block matrix
    int64_t rows = 0, cols = 0;
    DType dtype = tensors.empty() ? default_float() : tensors[0].dtype();
    for (size_t i = 0; i < tensors.size(); ++i) {
      const Tensor& t = tensors[i];
      TG_CHECK(t.dim() <= 2, Runtime, "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ", i,
               " has ", t.dim(), " dimensions");
      const Tensor m = as_matrix(t);
      rows += m.size(0), cols += m.size(1);
      if (i) dtype = result_type(zeros({1}, dtype), zeros({1}, t.dtype()));
    }
    Tensor out = kernels::full({rows, cols}, 0, dtype);
    int64_t r = 0, c = 0;
    for (const Tensor& t : tensors) {
      const Tensor m = as_matrix(t);
      kernels::copy_into(narrow(narrow(out, 0, r, m.size(0)), 1, c, m.size(1)), m);
      r += m.size(0), c += m.size(1);
    }
    return out;
  }
  static void save(Saved& s, const TensorList& tensors, const Tensor&) {
    int64_t r = 0, c = 0;
    for (const Tensor& t : tensors) {
      const Tensor m = as_matrix(t);
      s.sizes.push_back(t.sizes()), s.rows.push_back(r), s.cols.push_back(c);
      r += m.size(0), c += m.size(1);
    }
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    TensorList out(s.sizes.size());
    for (size_t i = 0; i < s.sizes.size(); ++i) {
      if (!needs[i]) continue;
      const Shape m = s.sizes[i].size() == 2 ? s.sizes[i] : Shape{1, s.sizes[i].empty() ? 1 : s.sizes[i][0]};
      out[i] = reshape(narrow(narrow(grad, 0, s.rows[i], m[0]), 1, s.cols[i], m[1]), s.sizes[i]);
    }
    return out;
  }
};

namespace {

Tensor block_diag(const TensorList& tensors) { return apply_list_op<BlockDiag>(tensors); }

// ---- splitting into views at indices or into equal-ish sections ----
TensorList split_at(const Tensor& a, const DimList& indices, int64_t dim) {
  const int64_t d = wrap_dim(dim, a.dim());
  TensorList out;
  int64_t start = 0;
  for (int64_t i : indices) out.push_back(slice(a, d, start, i, 1)), start = i;
  out.push_back(slice(a, d, start, std::nullopt, 1));
  return out;
}

void check_splittable(const Tensor& a) {
  TG_CHECK(a.dim() > 0, Runtime, "tensor_split expected at least a 1-dimensional tensor, but got a tensor with ", a.dim(),
           " dims");
}

TensorList tensor_split_sections(const Tensor& a, int64_t sections, int64_t dim) {
  check_splittable(a);
  TG_CHECK(sections > 0, Runtime, "number of sections must be larger than 0, got ", sections);
  const int64_t size = a.size(wrap_dim(dim, a.dim()));
  DimList indices;
  // The first size % sections pieces get one element more.
  for (int64_t i = 1, at = 0; i < sections; ++i) indices.push_back(at += size / sections + (i - 1 < size % sections));
  return split_at(a, indices, dim);
}

TensorList tensor_split_indices(const Tensor& a, const DimList& indices, int64_t dim) {
  check_splittable(a);
  return split_at(a, indices, dim);
}

TensorList tensor_split_tensor(const Tensor& a, const Tensor& spec, int64_t dim) {
  check_splittable(a);
  TG_CHECK(spec.dtype() == DType::Int64, Runtime,
           "tensor_split expected tensor_indices_or_sections to have dtype of long, but got ",
           dtype_legacy_name(spec.dtype()));
  TG_CHECK(spec.dim() <= 1, Runtime, "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
           "one-dimensional tensor, but got a tensor with ", spec.dim(), " dims");
  const Tensor c = kernels::contiguous_copy(spec);
  if (spec.dim() == 0) return tensor_split_sections(a, c.data<int64_t>()[0], dim);
  return split_at(a, DimList(c.data<int64_t>(), c.data<int64_t>() + c.numel()), dim);
}

// hsplit / vsplit / dsplit: tensor_split along dim 1 (0 for vectors), 0 or 2.
template <int Which>
int64_t split_dim(const Tensor& a) {
  constexpr const char* names[] = {"torch.hsplit", "torch.vsplit", "torch.dsplit"};
  const int64_t need = Which == 0 ? 1 : Which == 1 ? 2 : 3;
  TG_CHECK(a.dim() >= need, Runtime, names[Which], " requires a tensor with at least ", need,
           " dimension, but got a tensor with ", a.dim(), " dimensions!");
  return Which == 0 ? (a.dim() == 1 ? 0 : 1) : Which == 1 ? 0 : 2;
}
template <int Which>
TensorList split_sections(const Tensor& a, int64_t sections) {
  constexpr const char* names[] = {"torch.hsplit", "torch.vsplit", "torch.dsplit"};
  const int64_t d = split_dim<Which>(a);
  TG_CHECK(sections != 0 && a.size(d) % sections == 0, Runtime, names[Which], " attempted to split along dimension ",
           d, ", but the size of the dimension ", a.size(d), " is not divisible by the split_size ", sections, "!");
  return tensor_split_sections(a, sections, d);
}
template <int Which>
TensorList split_indices(const Tensor& a, const DimList& indices) {
  return split_at(a, indices, split_dim<Which>(a));
}

}  // namespace

void register_list_ops(std::vector<OpInfo>& ops) {
  register_ops<BlockDiag>(ops);
  constexpr uint8_t kBoth = kFunction | kMethod;
  register_functions(
      ops, {
               {{"hstack(Tensor[] tensors, *, Tensor? out=None)", kFunction}, invoke_fn<&hstack>},
               {{"vstack(Tensor[] tensors, *, Tensor? out=None)", kFunction}, invoke_fn<&vstack>},
               {{"row_stack(Tensor[] tensors, *, Tensor? out=None)", kFunction}, invoke_fn<&vstack>},
               {{"dstack(Tensor[] tensors, *, Tensor? out=None)", kFunction}, invoke_fn<&dstack>},
               {{"column_stack(Tensor[] tensors, *, Tensor? out=None)", kFunction}, invoke_fn<&column_stack>},
               {{"atleast_1d(Tensor input)", kFunction}, invoke_fn<&atleast_1d>},
               {{"atleast_1d(Tensor[] tensors) -> Tensor[]", kFunction}, invoke_fn<&each<atleast_1d>>},
               {{"atleast_2d(Tensor input)", kFunction}, invoke_fn<&atleast_2d>},
               {{"atleast_2d(Tensor[] tensors) -> Tensor[]", kFunction}, invoke_fn<&each<atleast_2d>>},
               {{"atleast_3d(Tensor input)", kFunction}, invoke_fn<&atleast_3d>},
               {{"atleast_3d(Tensor[] tensors) -> Tensor[]", kFunction}, invoke_fn<&each<atleast_3d>>},
               {{"broadcast_tensors(Tensor[] tensors) -> Tensor[]", kFunction}, invoke_fn<&broadcast_tensors>},
               {{"meshgrid(Tensor[] tensors, *, str? indexing=None) -> Tensor[]", kFunction}, invoke_fn<&meshgrid>},
               {{"cartesian_prod(Tensor[] tensors)", kFunction}, invoke_fn<&cartesian_prod>},
               {{"block_diag(Tensor[] tensors)", kFunction}, invoke_fn<&block_diag>},
               {{"combinations(Tensor input, int r=2, bool with_replacement=False)", kFunction},
                invoke_fn<&combinations>},
               {{"tensor_split(Tensor input, int sections, int dim=0) -> Tensor[]", kBoth},
                invoke_fn<&tensor_split_sections>},
               {{"tensor_split(Tensor input, int[] indices, int dim=0) -> Tensor[]", kBoth},
                invoke_fn<&tensor_split_indices>},
               {{"tensor_split(Tensor input, Tensor tensor_indices_or_sections, int dim=0) -> Tensor[]", kBoth},
                invoke_fn<&tensor_split_tensor>},
               {{"hsplit(Tensor input, int sections) -> Tensor[]", kBoth}, invoke_fn<&split_sections<0>>},
               {{"hsplit(Tensor input, int[] indices) -> Tensor[]", kBoth}, invoke_fn<&split_indices<0>>},
               {{"vsplit(Tensor input, int sections) -> Tensor[]", kBoth}, invoke_fn<&split_sections<1>>},
               {{"vsplit(Tensor input, int[] indices) -> Tensor[]", kBoth}, invoke_fn<&split_indices<1>>},
               {{"dsplit(Tensor input, int sections) -> Tensor[]", kBoth}, invoke_fn<&split_sections<2>>},
               {{"dsplit(Tensor input, int[] indices) -> Tensor[]", kBoth}, invoke_fn<&split_indices<2>>},
           });
}

}  // namespace tg
