// x[key] and x[key] = v beyond the views of slice.cpp:
// - advanced indexing with int64 index tensors (index, index_put);
// - a whole key (an IndexKey, see index.h) applied with PyTorch's rules: its basic items as
//   views, then its index tensors and masks as one index / index_put.
#include "ops/index.h"

#include "core/grad_mode.h"
#include "kernels/copy.h"
#include "kernels/loop.h"
#include "kernels/pointwise.h"
#include "ops/op.h"
#include "ops/registry.h"
#include "ops/view_history.h"

namespace tg {

// ---- advanced indexing ----
// Indexing with int64 index tensors (numpy's advanced indexing): x[idx], x[:, i, j], and the
// writes x[idx] = v. The indexed dims are moved to the front, the index tensors broadcast to
// one shape B, and each position b of B addresses one block of the remaining dims; the result
// puts B where the first indexed dim was when the indexed dims are adjacent, else in front.

namespace {

struct Plan {
  Tensor permuted;             // input with indexed dims first
  std::vector<Tensor> idx;     // contiguous int64, broadcast to B, wrapped to non-negative
  Shape b_shape, rest_sizes, rest_strides;
  DimList to_result;           // permutation from (B..., rest...) to the result's order
  DimList indexed;             // the input dims the index tensors index, in order
};

Shape result_shape(const Plan& p);

// Bounds-checks the plan's indices and wraps the negative ones (PyTorch checks a write's value
// shape before this). Like PyTorch's kernel, an empty result reads nothing and checks nothing.
void check_empty_dims(const Tensor& a, const Plan& p) {
  for (size_t k = 0; k < p.idx.size(); ++k)
    TG_CHECK(a.sizes()[p.indexed[k]] > 0 || p.idx[k].numel() == 0, Index,
             "index is out of bounds for dimension with size 0");
}

void wrap_indices(const Tensor& a, Plan& p) {
  check_empty_dims(a, p);
  if (numel_of(result_shape(p)) == 0) return;
  for (size_t k = 0; k < p.idx.size(); ++k) {
    const int64_t d = p.indexed[k], size = a.sizes()[d];
    int64_t* v = p.idx[k].data<int64_t>();
    for (int64_t i = 0, n = p.idx[k].numel(); i < n; ++i) {
      TG_CHECK(v[i] >= -size && v[i] < size, Index, "index ", v[i], " is out of bounds for dimension ", d,
               " with size ", size);
      if (v[i] < 0) v[i] += size;
    }
  }
}

Plan make_plan(const Tensor& a, const std::vector<Tensor>& indices) {
  TG_CHECK((int64_t)indices.size() <= a.dim(), Index, "too many indices for tensor of dimension ", a.dim());
  Plan p;
  DimList front, back;
  Shape b_shape;
  int64_t first = -1, last = -1, count = 0;
  for (int64_t d = 0; d < a.dim(); ++d) {
    bool indexed = d < (int64_t)indices.size() && indices[d].defined();
    (indexed ? front : back).push_back(d);
    if (!indexed) continue;
    TG_CHECK(indices[d].dtype() == DType::Int64, Index,
             "tensors used as indices must be long, int, byte or bool tensors");
    try {
      b_shape = count++ ? broadcast_shapes(b_shape, indices[d].sizes()) : indices[d].sizes();
    } catch (const Error&) {
      std::string shapes;
      for (const Tensor& t : indices)
        if (t.defined()) shapes += (shapes.empty() ? "" : ", ") + shape_str(t.sizes());
      TG_ERROR(Index, "shape mismatch: indexing tensors could not be broadcast together with shapes ", shapes);
    }
    if (first < 0) first = d;
    last = d;
  }
  Shape sizes, strides;
  for (int64_t d : front) sizes.push_back(a.sizes()[d]), strides.push_back(a.strides()[d]);
  for (int64_t d : back) {
    sizes.push_back(a.sizes()[d]), strides.push_back(a.strides()[d]);
    p.rest_sizes.push_back(a.sizes()[d]), p.rest_strides.push_back(a.strides()[d]);
  }
  p.permuted = Tensor::view_of(a, sizes, strides, a.offset());
  p.b_shape = b_shape;
  for (int64_t d : front) {
    p.idx.push_back(kernels::contiguous_copy(
        Tensor::view_of(indices[d], b_shape, kernels::broadcast_strides(indices[d], b_shape), indices[d].offset())));
    p.indexed.push_back(d);
  }
  const int64_t nb = (int64_t)b_shape.size(), nrest = (int64_t)p.rest_sizes.size();
  const bool adjacent = last - first + 1 == count;
  const int64_t at = adjacent ? first : 0;  // rest dims before B in the result
  for (int64_t i = 0; i < at; ++i) p.to_result.push_back(nb + i);
  for (int64_t i = 0; i < nb; ++i) p.to_result.push_back(i);
  for (int64_t i = at; i < nrest; ++i) p.to_result.push_back(nb + i);
  return p;
}

// Calls f(block of the input at position b, b) for every position of B.
template <class F>
void for_each_block(const Plan& p, F&& f) {
  int64_t n = numel_of(p.b_shape);
  for (int64_t b = 0; b < n; ++b) {
    int64_t off = p.permuted.offset();
    for (size_t k = 0; k < p.idx.size(); ++k) off += p.idx[k].data<int64_t>()[b] * p.permuted.strides()[k];
    f(Tensor::view_of(p.permuted, p.rest_sizes, p.rest_strides, off), b);
  }
}

Shape result_shape(const Plan& p) {
  Shape perm_shape = p.b_shape;
  for (int64_t s : p.rest_sizes) perm_shape.push_back(s);
  Shape out;
  for (int64_t d : p.to_result) out.push_back(perm_shape[d]);
  return out;
}

// A tensor in the result's order, viewed in (B..., rest...) order, block b.
Tensor block_of(const Tensor& result, const Plan& p, int64_t b) {
  Shape sizes(p.to_result.size()), strides(p.to_result.size());
  for (size_t i = 0; i < p.to_result.size(); ++i)
    sizes[p.to_result[i]] = result.sizes()[i], strides[p.to_result[i]] = result.strides()[i];
  const size_t nb = p.b_shape.size();
  int64_t off = result.offset(), rem = b;
  for (int64_t k = (int64_t)nb - 1; k >= 0; --k) {
    off += (rem % sizes[k]) * strides[k];
    rem /= sizes[k];
  }
  return Tensor::view_of(result, Shape(sizes.begin() + nb, sizes.end()), Shape(strides.begin() + nb, strides.end()), off);
}

Tensor gather_blocks(const Tensor& a, const std::vector<Tensor>& indices) {
  Plan p = make_plan(a, indices);
  wrap_indices(a, p);
  Tensor out = Tensor::empty(result_shape(p), a.dtype());
  // An empty result reads nothing (and its indices were not checked, as in PyTorch).
  if (out.numel()) for_each_block(p, [&](const Tensor& src, int64_t b) { kernels::copy_into(block_of(out, p, b), src); });
  return out;
}

// self with value (broadcast to the index result) written, or added, at the indices.
Tensor put_blocks(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& value, bool accumulate) {
  Tensor out = kernels::contiguous_copy(self);
  Plan p = make_plan(out, indices);
  check_empty_dims(out, p);
  // PyTorch casts a Python number but wants a tensor value of self's dtype.
  TG_CHECK(value.is_wrapped_number() || value.dtype() == self.dtype(), Runtime,
           "Index put requires the source and destination dtypes match, got ", dtype_legacy_name(self.dtype()),
           " for the destination and ", dtype_legacy_name(value.dtype()), " for the source.");
  Shape rs = result_shape(p);
  bool fits = value.dim() <= (int64_t)rs.size();
  for (int64_t k = 1; fits && k <= value.dim(); ++k) {
    int64_t have = value.sizes()[value.dim() - k];
    fits = have == 1 || have == rs[rs.size() - k];
  }
  TG_CHECK(fits, Runtime, "shape mismatch: value tensor of shape ",
           shape_str(value.sizes()), " cannot be broadcast to indexing result of shape ", shape_str(rs));
  wrap_indices(out, p);
  Tensor v = Tensor::view_of(value, rs, kernels::broadcast_strides(value, rs), value.offset());
  if (numel_of(rs) == 0) return out;  // writes nothing (and its indices were not checked)
  for_each_block(p, [&](const Tensor& dst, int64_t b) {
    Tensor src = block_of(v, p, b);
    if (accumulate) kernels::binary_into(kernels::BinaryOp::Add, dst, dst, kernels::cast(src, dst.dtype()));
    else kernels::copy_into(dst, src);
  });
  return out;
}

}  // namespace

Tensor index(const Tensor& a, const std::vector<Tensor>& indices);
Tensor index_put(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& value, bool accumulate);

struct Index {
  static constexpr const char* name = "index";
  static constexpr const char* node = "IndexBackward0";
  struct Saved {
    std::vector<Tensor> indices;  // int64, never differentiable: kept as they are
    Shape sizes;
  };
  static Tensor forward(const Tensor& a, const std::vector<Tensor>& indices) { return gather_blocks(a, indices); }
  static void save(Saved& s, const Tensor& a, const std::vector<Tensor>& indices, const Tensor&) {
    s.indices = indices;
    s.sizes = a.sizes();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {index_put(zeros(s.sizes, grad.dtype()), s.indices, grad, /*accumulate=*/true)};
  }
};

// index_put: the out-of-place form of x[indices] = v (and, accumulating, of index's backward).
struct IndexPut {
  static constexpr const char* name = "index_put";
  static constexpr const char* node = "IndexPutBackward0";
  struct Saved {
    std::vector<Tensor> indices;
    Shape value_sizes;
    bool accumulate = false;
  };
  static Tensor forward(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& value, bool accumulate) {
    return put_blocks(self, indices, value, accumulate);
  }
  static void save(Saved& s, const Tensor&, const std::vector<Tensor>& indices, const Tensor& value, bool accumulate,
                   const Tensor&) {
    s.indices = indices;
    s.value_sizes = value.sizes();
    s.accumulate = accumulate;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor gs, gv;
    if (needs[0]) gs = s.accumulate ? grad : index_put(grad, s.indices, zeros({}, grad.dtype()), false);
    if (needs[1]) gv = sum_to(index(grad, s.indices), s.value_sizes);
    return {gs, gv};  // one edge per tensor argument: self, value
  }
};

Tensor index(const Tensor& a, const std::vector<Tensor>& indices) { return apply_op<Index>(a, indices); }
Tensor index_put(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& value, bool accumulate) {
  return apply_op<IndexPut>(self, indices, value, accumulate);
}


// ---- a whole key ----

namespace {

using Kind = IndexItem::Kind;

void check_step(int64_t step) {
  TG_CHECK(step != 0, Value, "slice step cannot be zero");
  TG_CHECK(step > 0, Value, "step must be greater than zero");  // PyTorch has no negative steps
}

bool is_mask(const IndexItem& item) { return item.kind == Kind::Tensor && item.tensor.dtype() == DType::Bool; }

// PyTorch's checks on a key as a whole, made before any item is applied: items of no index
// type, numpy's refusal of a second ellipsis (PyTorch accepts several, with results that depend
// on where index tensors sit), a lone slice's step and a lone int, then the number of dims the
// key indexes (returned) against self's.
int64_t check_key(const Tensor& self, const IndexKey& key) {
  int64_t ellipses = 0, used = 0;
  for (const IndexItem& item : key.items) {
    if (item.kind == Kind::Invalid) std::rethrow_exception(item.error);
    if (item.kind == Kind::Ellipsis) ++ellipses;
    else if (is_mask(item)) used += item.tensor.dim();  // a mask indexes as many dims as it has
    else if (item.kind != Kind::None) ++used;
  }
  TG_CHECK(ellipses <= 1, Index, "an index can only have a single ellipsis ('...')");
  const IndexItem* lone = key.lone ? &key.items[0] : nullptr;
  if (lone && lone->kind == Kind::Slice) {
    if (lone->error && lone->error_in_step) std::rethrow_exception(lone->error);
    check_step(lone->step);
  }
  if (lone && lone->kind == Kind::Int && lone->python_int) {
    if (lone->error) std::rethrow_exception(lone->error);
    TG_CHECK(self.dim() > 0, Index,
             "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert "
             "a 0-dim tensor to a number");
  }
  TG_CHECK(used <= self.dim(), Index, "too many indices for tensor of dimension ", self.dim());
  return used;
}

Tensor apply_int(const Tensor& t, int64_t dim, const IndexItem& item) {
  if (item.error) std::rethrow_exception(item.error);
  const int64_t i = item.value, size = t.size(dim);
  TG_CHECK(-size <= i && i < size, Index, "index ", i, " is out of bounds for dimension ", dim, " with size ", size);
  return select(t, dim, i);
}

Tensor apply_slice(const Tensor& t, int64_t dim, const IndexItem& item) {
  if (item.error && item.error_in_step) std::rethrow_exception(item.error);
  check_step(item.step);
  if (item.error) std::rethrow_exception(item.error);
  // Bounds past the dim mean "past the end": slice() clamps them, as PyTorch does. (Passing the
  // item's own optionals, rather than new ones, also spares two store-forwarding stalls.)
  return slice(t, dim, item.start, item.stop, item.step);
}

// numpy's nonzero: per dim of `mask`, the coordinates of its true elements in row-major order.
std::vector<Tensor> nonzero(const Tensor& mask) {
  const Tensor m = mask.is_contiguous() ? mask : kernels::contiguous_copy(mask);
  const bool* p = m.data<bool>();
  const int64_t n = m.numel(), dims = m.dim();
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += p[i];
  std::vector<Tensor> coords;
  for (int64_t d = 0; d < dims; ++d) coords.push_back(Tensor::empty({count}, DType::Int64));
  Shape at(dims, 0);
  for (int64_t i = 0, k = 0; i < n; ++i) {
    if (p[i]) {
      for (int64_t d = 0; d < dims; ++d) coords[d].data<int64_t>()[k] = at[d];
      ++k;
    }
    for (int64_t d = dims - 1; d >= 0 && ++at[d] == m.size(d); --d) at[d] = 0;
  }
  return coords;
}

// A key applied to `self`: its basic items as views of self (returned), and its index tensors
// in `indices`, one per dim of that view (undefined where a dim is not indexed), left empty
// when the key has no index tensor or mask.
Tensor apply_key(const Tensor& self, const IndexKey& key, std::vector<Tensor>& indices) {
  const int64_t used = check_key(self, key);
  Tensor result = self;
  std::vector<std::pair<int64_t, Tensor>> advanced, masks;  // (dim of result, index or mask)
  int64_t dim = 0;
  for (const IndexItem& item : key.items) {
    switch (item.kind) {
      case Kind::None: result = unsqueeze(result, dim++); break;
      case Kind::Ellipsis: dim += self.dim() - used; break;
      case Kind::Slice: result = apply_slice(result, dim++, item); break;
      case Kind::Int: result = apply_int(result, dim, item); break;
      case Kind::Invalid: break;  // check_key raised it
      case Kind::Tensor: {
        const Tensor& t = item.tensor;
        if (t.dtype() == DType::Bool && t.dim() == 0) {
          // A 0-d mask adds a dim of size 1 (True) or 0 (False), indexed like a 1-d mask.
          result = unsqueeze(result, dim);
          advanced.emplace_back(dim++, nonzero(view(t, {1}))[0]);
        } else if (t.dtype() == DType::Bool) {
          masks.emplace_back(dim, t);  // checked once the basic items are applied, as PyTorch does
          dim += t.dim();
        } else {
          TG_CHECK(t.dtype() == DType::Int64, Index, "tensors used as indices must be long, int, byte or bool tensors");
          advanced.emplace_back(dim++, t);
        }
      }
    }
  }
  for (const auto& [at, mask] : masks) {  // later items only changed dims after each mask's
    for (int64_t k = 0; k < mask.dim(); ++k)
      TG_CHECK(result.size(at + k) == mask.size(k), Index, "The shape of the mask ", shape_str(mask.sizes()),
               " at index ", k, " does not match the shape of the indexed tensor ", shape_str(result.sizes()),
               " at index ", at + k);
    std::vector<Tensor> coords = nonzero(mask);
    for (int64_t k = 0; k < mask.dim(); ++k) advanced.emplace_back(at + k, coords[k]);
  }
  if (!advanced.empty()) {
    indices.resize(result.dim());
    for (const auto& [at, index] : advanced) indices[at] = index;
  }
  return result;
}

// PyTorch writes x[mask] = v with masked_fill_ when the key's only tensor is a mask with dims
// and v has one element of another dtype: v's number is stored in self's dtype (with the
// overflow check), or, when v requires grad, v is cast with its history.
Tensor one_element_value(const Tensor& self, const IndexKey& key, const Tensor& v) {
  if (!v.defined() || v.numel() != 1 || v.dtype() == self.dtype()) return v;
  const Tensor* only = nullptr;
  for (const IndexItem& item : key.items) {
    if (item.kind != Kind::Tensor) continue;
    if (only) return v;
    only = &item.tensor;
  }
  if (!only || only->dtype() != DType::Bool || only->dim() == 0) return v;
  if (v.requires_grad()) return to_dtype(reshape(v, {}), self.dtype());
  return kernels::full({}, kernels::item(v), self.dtype());
}

}  // namespace

Tensor index_key_get(const Tensor& self, const IndexKey& key) {
  std::vector<Tensor> indices;
  Tensor result = apply_key(self, key, indices);
  if (!indices.empty()) return index(result, indices);
  // x[...] and x[()] are still a new tensor (a view), never x itself.
  if (result.impl() == self.impl()) return view(self, self.sizes());
  return result;
}

void index_key_put(const Tensor& self, const IndexKey& key, const IndexValue& value) {
  const Tensor tensor_value = one_element_value(self, key, value.tensor);
  auto assigned = [&] { return tensor_value.defined() ? tensor_value : value.make(self); };
  // The key is applied to a contiguous, detached tensor of self's shape (self's own memory when
  // self is contiguous), so that the write can be described relative to it.
  const Tensor base = self.is_contiguous() ? self.detach() : contiguous(self).detach();
  std::vector<Tensor> indices;
  const Tensor part = apply_key(base, key, indices);
  if (indices.empty()) {
    refresh_view_history(self);  // the leaf check below reads self's history
    TG_CHECK(!(self.is_leaf() && self.requires_grad() && GradMode::is_enabled()), Runtime,
             "a view of a leaf Variable that requires grad is being used in an in-place operation.");
    const Geometry g = geometry_of(part, base);
    const Tensor v = assigned();
    apply_inplace(self, [&](const Tensor& s) { return slice_put(s, v, g); });
    return;
  }
  if (part.offset() == base.offset() && part.sizes() == base.sizes() && part.strides() == base.strides()) {
    const Tensor v = assigned();  // index_put checks its dtype
    apply_inplace(self, [&](const Tensor& s) { return index_put(s, indices, v, false); });
    return;
  }
  // Index tensors mixed with ints, slices or None: the key applied to the flat positions of
  // self's elements gives the ones it picks, written by one index_put on flattened self.
  const Tensor positions = view(kernels::arange(Scalar::from_int(0), Scalar::from_int(self.numel()),
                                                Scalar::from_int(1), DType::Int64), self.sizes());
  const Tensor picked = index_key_get(positions, key);
  const Tensor v = assigned();
  apply_inplace(self, [&](const Tensor& s) { return reshape(index_put(reshape(s, {-1}), {picked}, v, false), s.sizes()); });
}

void register_indexing_ops(std::vector<OpInfo>& ops) { register_ops<Index, IndexPut>(ops); }

}  // namespace tg
