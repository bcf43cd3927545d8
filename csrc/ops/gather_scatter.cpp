// gather, scatter (tensor or number source), scatter_add, index_select, masked_fill.
#include "kernels/copy.h"
#include "kernels/pointwise.h"
#include "kernels/scatter.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

using kernels::ScatterMode;

namespace {

// PyTorch's shape rules: same rank; index no bigger than self (and src) except along dim.
// `scatter` selects scatter's wording of the errors (gather's otherwise).
int64_t check_index(const char* fname, const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src,
                    bool scatter) {
  int64_t d = wrap_dim(dim, self.dim());
  if (scatter) TG_CHECK(!src || src->dtype() == self.dtype(), Runtime, "scatter(): Expected self.dtype to be equal to src.dtype");
  TG_CHECK(index.dtype() == DType::Int64, Runtime, fname, "(): Expected dtype int32/int64 for index");
  if (index.numel() == 0) return d;  // PyTorch checks no shapes for an empty index
  TG_CHECK(index.dim() == self.dim() || (index.dim() <= 1 && self.dim() <= 1), Runtime,
           "Index tensor must have the same number of dimensions as ", scatter ? "self tensor" : "input tensor");
  TG_CHECK(!src || src->dim() > 0 || index.dim() <= 1, Runtime,
           "Index tensor must have the same number of dimensions as src tensor");
  for (int64_t k = 0; k < index.dim(); ++k) {
    const int64_t self_size = self.dim() ? self.sizes()[k] : 1;
    // A 0-d src holds one element; a src with fewer dims fails on reading its size (PyTorch's
    // IndexError).
    const int64_t src_size = !src ? 0 : src->dim() == 0 ? 1 : src->sizes()[wrap_dim(k, src->dim())];
    const bool too_big = (k != d && index.sizes()[k] > self_size) || (src && index.sizes()[k] > src_size);
    if (!too_big) continue;
    if (!scatter)
      TG_ERROR(Runtime, "Size does not match at dimension ", k, " expected index ", shape_str(index.sizes()),
               " to be no larger than self ", shape_str(self.sizes()), " apart from dimension ", d);
    if (src)
      TG_ERROR(Runtime, "Expected index ", shape_str(index.sizes()), " to be no larger than self ",
               shape_str(self.sizes()), " apart from dimension ", d, " and to be no larger size than src ",
               shape_str(src->sizes()));
    TG_ERROR(Runtime, "Expected index ", shape_str(index.sizes()), " to be no larger than self ",
             shape_str(self.sizes()), " apart from dimension ", d);
  }
  return d;
}

// The gradient of a scatter's source: gathered at the index, and zero where the source is
// bigger than the index (those elements are never read).
Tensor source_grad(const Tensor& grad, int64_t dim, const Tensor& index, const Shape& src_sizes) {
  if (index.numel() == 0) return zeros(src_sizes, grad.dtype());  // nothing was read
  Tensor g = gather(grad, dim, index);
  if (src_sizes.empty() || src_sizes == index.sizes()) return g;
  return slice_put(zeros(src_sizes, g.dtype()), g, Geometry{index.sizes(), contiguous_strides(src_sizes), 0});
}

Tensor scatter_copy(ScatterMode mode, const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = kernels::contiguous_copy(self);
  if (index.numel()) kernels::scatter_gather(mode, out, self.dim() ? dim : 0, index, src, "scatter");
  return out;
}

}  // namespace

struct Gather {
  static constexpr const char* name = "gather";
  static constexpr const char* node = "GatherBackward0";
  struct Saved {
    Tensor index;
    Shape sizes;
    int64_t dim = 0;
  };
  static Tensor forward(const Tensor& a, int64_t dim, const Tensor& index) {
    int64_t d = check_index("gather", a, dim, index, nullptr, false);
    Tensor out = Tensor::empty(index.sizes(), a.dtype());
    if (index.numel()) kernels::scatter_gather(ScatterMode::Gather, a, a.dim() ? d : 0, index, out, "gather");
    return out;
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& index, const Tensor&) {
    s.index = index, s.sizes = a.sizes(), s.dim = wrap_dim(dim, a.dim());
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {scatter_add(zeros(s.sizes, grad.dtype()), s.dim, s.index, grad), Tensor()};
  }
};

// scatter and scatter_add (tensor source) save the same things for their backward.
struct ScatterSaves {
  struct Saved {
    Tensor index;
    int64_t dim = 0;
    Shape src_sizes;
  };
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src, const Tensor&) {
    s.index = index, s.dim = wrap_dim(dim, a.dim()), s.src_sizes = src.sizes();
  }
};

// scatter and scatter_add with a tensor source: the source's gradient is the same; self's is
// the gradient with what scatter overwrote zeroed, or all of it where scatter_add added.
template <ScatterMode Mode>
struct ScatterSource : ScatterSaves {
  static constexpr bool kAdd = Mode == ScatterMode::ScatterAdd;
  static constexpr const char* name = kAdd ? "scatter_add" : "scatter";
  static constexpr const char* node = kAdd ? "ScatterAddBackward0" : "ScatterBackward0";
  static Tensor forward(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
    return scatter_copy(Mode, a, check_index("scatter", a, dim, index, &src, true), index, src);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor self_grad = !needs[0] ? Tensor() : kAdd ? grad : scatter(grad, s.dim, s.index, 0.0);
    return {self_grad, Tensor(), needs[2] ? source_grad(grad, s.dim, s.index, s.src_sizes) : Tensor()};
  }
};
using ScatterAdd = ScatterSource<ScatterMode::ScatterAdd>;
using Scatter = ScatterSource<ScatterMode::Scatter>;

// scatter with a number: PyTorch's value overload, its own node name.
struct ScatterValue {
  static constexpr const char* name = "scatter_value";
  static constexpr const char* node = "ScatterBackward1";
  struct Saved {
    Tensor index;
    int64_t dim = 0;
  };
  static Tensor forward(const Tensor& a, int64_t dim, const Tensor& index, Scalar value) {
    Tensor v = kernels::full({}, value, a.dtype());  // exact, or PyTorch's overflow error
    return scatter_copy(ScatterMode::Scatter, a, check_index("scatter", a, dim, index, nullptr, true), index, v);
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& index, Scalar, const Tensor&) {
    s.index = index, s.dim = wrap_dim(dim, a.dim());
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {scatter(grad, s.dim, s.index, 0.0), Tensor()}; }
};

Tensor gather(const Tensor& a, int64_t dim, const Tensor& index) { return apply_op<Gather>(a, dim, index); }
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
  return apply_op<Scatter>(a, dim, index, src);
}
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, Scalar value) {
  return apply_op<ScatterValue>(a, dim, index, value);
}
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
  return apply_op<ScatterAdd>(a, dim, index, src);
}

struct IndexSelect {
  static constexpr const char* name = "index_select";
  static constexpr const char* node = "IndexSelectBackward0";
  struct Saved {
    std::vector<Tensor> indices;
    Shape sizes;
  };
  static std::vector<Tensor> as_indices(const Tensor& a, int64_t dim, const Tensor& index) {
    std::vector<Tensor> out(a.dim() ? wrap_dim(dim, a.dim()) + 1 : 1);
    out.back() = index.dim() == 0 ? Tensor::view_of(index, {1}, {1}, index.offset()) : index;
    return out;
  }
  static Tensor forward(const Tensor& a, int64_t dim, const Tensor& index) {
    const int64_t d = wrap_dim(dim, a.dim());
    TG_CHECK(index.dim() <= 1, Index, "index_select(): Index is supposed to be a vector");
    TG_CHECK(index.dtype() == DType::Int64, Runtime, "index_select(): Expected dtype int32 or int64 for index");
    Tensor idx = index.is_contiguous() ? index : kernels::contiguous_copy(index);
    if (a.dim() == 0) {
      TG_CHECK(index.numel() == 1, Runtime, "index_select(): Index to scalar can have only 1 value, got ",
               index.numel(), " value(s)");
      TG_CHECK(idx.data<int64_t>()[0] == 0, Index, "index out of range in self");
      return reshape(kernels::contiguous_copy(Tensor::view_of(a, {1}, {1}, a.offset())), {});
    }
    // index_select does not wrap negative indices (advanced indexing would): check first, with
    // PyTorch's two wordings (its dim-0 / 1-D path and its general kernel).
    const int64_t size = a.size(d);
    const bool index_error = a.dim() == 1 || (d == 0 && a.numel() > 0);
    for (int64_t k = 0; k < idx.numel(); ++k) {
      const int64_t v = idx.data<int64_t>()[k];
      if (v >= 0 && v < size) continue;
      if (index_error) TG_ERROR(Index, "index out of range in self");
      TG_ERROR(Runtime, "INDICES element is out of DATA bounds, id=", v, " axis_dim=", size);
    }
    return ::tg::index(a, as_indices(a, d, index));  // forward runs without recording
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor& index, const Tensor&) {
    s.sizes = a.sizes();
    if (a.dim()) s.indices = as_indices(a, dim, index);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    if (s.sizes.empty()) return {grad, Tensor()};
    return {index_put(zeros(s.sizes, grad.dtype()), s.indices, grad, /*accumulate=*/true), Tensor()};
  }
};
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index) { return apply_op<IndexSelect>(a, dim, index); }

struct MaskedFill {
  static constexpr const char* name = "masked_fill";
  static constexpr const char* node = "MaskedFillBackward0";
  struct Saved {
    Tensor mask;
  };
  static Tensor forward(const Tensor& a, const Tensor& mask, Scalar value) {
    TG_CHECK(mask.dtype() == DType::Bool, Runtime, "masked_fill_ only supports boolean masks, but got mask with dtype ",
             dtype_scalar_name(mask.dtype()));
    broadcast_shapes(mask.sizes(), a.sizes());  // out of place the result broadcasts, as PyTorch's does
    return kernels::where(mask, kernels::full({}, value, a.dtype()), a);  // exact, or the overflow error
  }
  static void save(Saved& s, const Tensor&, const Tensor& mask, Scalar, const Tensor&) { s.mask = mask; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {where(s.mask, zeros({}, grad.dtype()), grad), Tensor()};
  }
};
Tensor masked_fill(const Tensor& a, const Tensor& mask, Scalar value) { return apply_op<MaskedFill>(a, mask, value); }

void register_gather_scatter_ops(std::vector<OpInfo>& ops) {
  register_ops<Gather, ScatterAdd, Scatter, ScatterValue, IndexSelect, MaskedFill>(ops);
}

}  // namespace tg
