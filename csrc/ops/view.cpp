// Shape and layout ops. All but clone/to_dtype return views that share their input's storage.
#include <algorithm>

#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {
Tensor restride(const Tensor& a, Shape sizes, Shape strides) {
  return Tensor::view_of(a, std::move(sizes), std::move(strides), a.offset());
}
}  // namespace

// View and UnsafeView: the gradient is reshaped back to the input's sizes.
struct ReshapedBack {
  struct Saved {
    Shape sizes;
  };
  static void save(Saved& s, const Tensor& a, const Shape&, const Tensor&) { s.sizes = a.sizes(); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {reshape(grad, s.sizes)}; }
};

struct View : ReshapedBack {
  static constexpr const char* name = "view";
  static constexpr const char* node = "ViewBackward0";
  static Tensor forward(const Tensor& a, const Shape& sizes) {
    Shape shape = infer_size(sizes, a.numel());
    auto strides = view_strides(a.sizes(), a.strides(), shape);
    TG_CHECK(strides, Runtime,
             "view size is not compatible with input tensor's size and stride (at least one dimension "
             "spans across two contiguous subspaces). Use .reshape(...) instead.");
    return restride(a, shape, *strides);
  }
};

// A view of a tensor that is known to be a fresh contiguous buffer (the end of reshape's and
// matmul's copies); PyTorch's _unsafe_view.
struct UnsafeView : ReshapedBack {
  static constexpr const char* name = "unsafe_view";
  static constexpr const char* node = "UnsafeViewBackward0";
  static Tensor forward(const Tensor& a, const Shape& sizes) {
    Tensor c = a.is_contiguous() ? a : kernels::contiguous_copy(a);
    Shape shape = infer_size(sizes, c.numel());
    return restride(c, shape, contiguous_strides(shape));
  }
};

struct Transpose {
  static constexpr const char* name = "transpose";
  static constexpr const char* node = "TransposeBackward0";
  struct Saved {
    int64_t d0 = 0, d1 = 0;
  };
  static Tensor forward(const Tensor& a, int64_t d0, int64_t d1) {
    d0 = wrap_dim(d0, a.dim());
    d1 = wrap_dim(d1, a.dim());
    Shape sizes = a.sizes(), strides = a.strides();
    if (a.dim() > 0) {
      std::swap(sizes[d0], sizes[d1]);
      std::swap(strides[d0], strides[d1]);
    }
    return restride(a, sizes, strides);
  }
  static void save(Saved& s, const Tensor&, int64_t d0, int64_t d1, const Tensor&) {
    s.d0 = d0;
    s.d1 = d1;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {transpose(grad, s.d0, s.d1)}; }
};

struct T {
  static constexpr const char* name = "t";
  static constexpr const char* node = "TBackward0";
  struct Saved {};
  static Tensor forward(const Tensor& a) {
    TG_CHECK(a.dim() <= 2, Runtime, "t() expects a tensor with <= 2 dimensions, but self is ", a.dim(), "D");
    return a.dim() < 2 ? restride(a, a.sizes(), a.strides()) : Transpose::forward(a, 0, 1);
  }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {t(grad)}; }
};

struct Permute {
  static constexpr const char* name = "permute";
  static constexpr const char* node = "PermuteBackward0";
  struct Saved {
    DimList dims;
  };
  static DimList wrapped(const Tensor& a, const DimList& dims) {
    TG_CHECK((int64_t)dims.size() == a.dim(), Runtime,
             "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
             "desired ordering of dimensions i.e. input.dim() = ", a.dim(), " is not equal to len(dims) = ",
             dims.size());
    DimList w;
    SmallVector<bool, 6> seen(a.dim(), false);
    for (int64_t d : dims) {
      int64_t x = wrap_dim(d, a.dim());
      TG_CHECK(a.dim() == 0 || !seen[x], Runtime, "permute(): duplicate dims are not allowed.");
      if (a.dim() > 0) seen[x] = true;
      w.push_back(x);
    }
    return w;
  }
  static Tensor forward(const Tensor& a, const DimList& dims) {
    DimList w = wrapped(a, dims);
    Shape sizes, strides;
    for (int64_t d : w) {
      if (a.dim() == 0) break;
      sizes.push_back(a.sizes()[d]);
      strides.push_back(a.strides()[d]);
    }
    return restride(a, sizes, strides);
  }
  static void save(Saved& s, const Tensor& a, const DimList& dims, const Tensor&) { s.dims = wrapped(a, dims); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    DimList inverse(s.dims.size());
    for (size_t i = 0; i < s.dims.size(); ++i) inverse[s.dims[i]] = (int64_t)i;
    return {permute(grad, inverse)};
  }
};

struct Unsqueeze {
  static constexpr const char* name = "unsqueeze";
  static constexpr const char* node = "UnsqueezeBackward0";
  struct Saved {
    int64_t dim = 0;
  };
  static Tensor forward(const Tensor& a, int64_t dim) {
    dim = wrap_dim(dim, a.dim() + 1);
    Shape sizes = a.sizes(), strides = a.strides();
    // unsigned: an empty tensor's strides may be huge (they are never used)
    int64_t stride = dim < a.dim() ? (int64_t)((uint64_t)a.sizes()[dim] * (uint64_t)a.strides()[dim]) : 1;
    sizes.insert(sizes.begin() + dim, 1);
    strides.insert(strides.begin() + dim, stride);
    return restride(a, sizes, strides);
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, const Tensor&) { s.dim = wrap_dim(dim, a.dim() + 1); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {squeeze(grad, s.dim)}; }
};

// squeeze(), squeeze(dim) and squeeze(dims) share one forward and backward; PyTorch gives the
// three overloads different node names.
struct SqueezeBase {
  struct Saved {
    Shape sizes;
  };
  static Tensor squeeze_mask(const Tensor& a, const SmallVector<bool, 6>& drop) {
    Shape sizes, strides;
    for (int64_t d = 0; d < a.dim(); ++d) {
      if (drop[d] && a.sizes()[d] == 1) continue;
      sizes.push_back(a.sizes()[d]);
      strides.push_back(a.strides()[d]);
    }
    return restride(a, sizes, strides);
  }
  static void save(Saved& s, const Tensor& a, const Tensor&) { s.sizes = a.sizes(); }
  template <class Arg>
  static void save(Saved& s, const Tensor& a, const Arg&, const Tensor&) { s.sizes = a.sizes(); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {reshape(grad, s.sizes)}; }
};

struct SqueezeAll : SqueezeBase {
  static constexpr const char* name = "squeeze";
  static constexpr const char* node = "SqueezeBackward0";
  static Tensor forward(const Tensor& a) { return squeeze_mask(a, SmallVector<bool, 6>(a.dim(), true)); }
};

struct SqueezeDim : SqueezeBase {
  static constexpr const char* name = "squeeze_dim";
  static constexpr const char* node = "SqueezeBackward1";
  static Tensor forward(const Tensor& a, int64_t dim) {
    SmallVector<bool, 6> drop(a.dim(), false);
    int64_t d = wrap_dim(dim, a.dim());
    if (a.dim() > 0) drop[d] = true;
    return squeeze_mask(a, drop);
  }
};

struct SqueezeDims : SqueezeBase {
  static constexpr const char* name = "squeeze_dims";
  static constexpr const char* node = "SqueezeBackward4";
  static Tensor forward(const Tensor& a, const DimList& dims) {
    SmallVector<bool, 6> drop(std::max<int64_t>(a.dim(), 1), false);
    for (int64_t dim : dims) {
      int64_t d = wrap_dim(dim, a.dim());
      TG_CHECK(!drop[d], Runtime, "dim ", d, " appears multiple times in the list of dims");
      drop[d] = true;
    }
    return squeeze_mask(a, drop);
  }
};

struct Expand {
  static constexpr const char* name = "expand";
  static constexpr const char* node = "ExpandBackward0";
  struct Saved {
    Shape sizes;
  };
  static Tensor forward(const Tensor& a, const Shape& sizes) {
    TG_CHECK((int64_t)sizes.size() >= a.dim(), Runtime, "expand(torch.", dtype_legacy_name(a.dtype()),
             "Tensor{", shape_str(a.sizes()), "}, size=", shape_str(sizes),
             "): the number of sizes provided (", sizes.size(),
             ") must be greater or equal to the number of dimensions in the tensor (", a.dim(), ")");
    const int64_t lead = (int64_t)sizes.size() - a.dim();
    Shape out_sizes(sizes.size()), out_strides(sizes.size());
    for (int64_t i = 0; i < (int64_t)sizes.size(); ++i) {
      int64_t target = sizes[i];
      if (i < lead) {
        TG_CHECK(target >= 0, Runtime, "The expanded size of the tensor (", target,
                 ") isn't allowed in a leading, non-existing dimension ", i);
        out_sizes[i] = target;
        out_strides[i] = 0;
        continue;
      }
      int64_t have = a.sizes()[i - lead];
      if (target == -1) target = have;
      TG_CHECK(target >= 0 && (have == target || have == 1), Runtime, "The expanded size of the tensor (", target,
               ") must match the existing size (", have, ") at non-singleton dimension ", i,
               ".  Target sizes: ", shape_str(sizes), ".  Tensor sizes: ", shape_str(a.sizes()));
      out_sizes[i] = target;
      out_strides[i] = have == target ? a.strides()[i - lead] : 0;
    }
    return restride(a, out_sizes, out_strides);
  }
  static void save(Saved& s, const Tensor& a, const Shape&, const Tensor&) { s.sizes = a.sizes(); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {sum_to(grad, s.sizes)}; }
};

struct Clone {
  static constexpr const char* name = "clone";
  static constexpr const char* node = "CloneBackward0";
  struct Saved {};
  static Tensor forward(const Tensor& a) { return kernels::contiguous_copy(a); }
  static TensorList backward(Saved&, const Tensor& grad, Needs) { return {grad}; }
};

struct ToDtype {
  static constexpr const char* name = "to";
  static constexpr const char* node = "ToCopyBackward0";
  struct Saved {
    DType from = DType::Float32;
  };
  static Tensor forward(const Tensor& a, DType dtype) { return kernels::cast(a, dtype); }
  static void save(Saved& s, const Tensor& a, DType, const Tensor&) { s.from = a.dtype(); }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {to_dtype(grad, s.from)}; }
};

Tensor view(const Tensor& a, const Shape& sizes) { return apply_op<View>(a, sizes); }
Tensor unsafe_view(const Tensor& a, const Shape& sizes) { return apply_op<UnsafeView>(a, sizes); }
Tensor reshape(const Tensor& a, const Shape& sizes) {
  Shape shape = infer_size(sizes, a.numel());
  if (view_strides(a.sizes(), a.strides(), shape)) return view(a, shape);
  return unsafe_view(clone(a), shape);
}
Tensor transpose(const Tensor& a, int64_t d0, int64_t d1) { return apply_op<Transpose>(a, d0, d1); }
Tensor t(const Tensor& a) { return apply_op<T>(a); }
Tensor permute(const Tensor& a, const DimList& dims) { return apply_op<Permute>(a, dims); }
Tensor unsqueeze(const Tensor& a, int64_t dim) { return apply_op<Unsqueeze>(a, dim); }
Tensor squeeze(const Tensor& a) { return apply_op<SqueezeAll>(a); }
Tensor squeeze(const Tensor& a, int64_t dim) { return apply_op<SqueezeDim>(a, dim); }
Tensor squeeze(const Tensor& a, const DimList& dims) { return apply_op<SqueezeDims>(a, dims); }
Tensor expand(const Tensor& a, const Shape& sizes) { return apply_op<Expand>(a, sizes); }
Tensor clone(const Tensor& a) { return apply_op<Clone>(a); }
Tensor contiguous(const Tensor& a) { return a.is_contiguous() ? a : clone(a); }
Tensor to_dtype(const Tensor& a, DType dtype) { return a.dtype() == dtype ? a : apply_op<ToDtype>(a, dtype); }

void register_view_ops(std::vector<OpInfo>& ops) {
  register_ops<View, UnsafeView, Transpose, T, Permute, Unsqueeze, SqueezeAll, SqueezeDim, SqueezeDims, Expand,
               Clone, ToDtype>(ops);
}

}  // namespace tg
