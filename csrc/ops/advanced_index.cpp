// Indexing with int64 index tensors (numpy's advanced indexing): x[idx], x[:, i, j], and the
// writes x[idx] = v. The indexed dims are moved to the front, the index tensors broadcast to
// one shape B, and each position b of B addresses one block of the remaining dims; the result
// puts B where the first indexed dim was when the indexed dims are adjacent, else in front.
#include "kernels/copy.h"
#include "kernels/loop.h"
#include "kernels/pointwise.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

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

void register_advanced_index_ops(std::vector<OpInfo>& ops) { register_ops<Index, IndexPut>(ops); }

}  // namespace tg
