// Views that pick part of a tensor (slice, select, narrow) and the writes that put values back
// (slice_put: `x[...] = v`, recorded as an in-place op). Each is described by a Geometry:
// sizes, strides and offset relative to a contiguous tensor of the input's shape, so that a
// gradient (always contiguous here) can be scattered back, or viewed again, the same way.
// (A file of its own: in one unit with index.cpp, GCC inlined these hot views less.)
#include "kernels/copy.h"
#include "kernels/pointwise.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

Geometry slice_geometry(const Geometry& in, int64_t dim, std::optional<int64_t> start_opt,
                        std::optional<int64_t> end_opt, int64_t step) {
  TG_CHECK(step > 0, Value, "step must be greater than zero");
  const int64_t size = in.sizes[dim];
  auto clampi = [size](int64_t i) {
    if (i < 0) i += size;
    return i < 0 ? 0 : i > size ? size : i;
  };
  int64_t start = start_opt ? clampi(*start_opt) : 0, end = end_opt ? clampi(*end_opt) : size;
  int64_t len = end > start ? (end - start - 1) / step + 1 : 0;  // no overflow for huge steps
  Geometry g = in;
  g.offset += start * in.strides[dim];
  g.sizes[dim] = len;
  // With at most one element the stride is never used: keep it, so that a huge step cannot
  // make an absurd (or overflowing) one.
  if (len > 1) g.strides[dim] *= step;  // len > 1 bounds step by the size: no overflow
  return g;
}

Geometry select_geometry(const Geometry& in, int64_t dim, int64_t index) {
  const int64_t size = in.sizes[dim];
  TG_CHECK(index >= -size && index < size, Index, "select(): index ", index, " out of range for tensor of size ",
           shape_str(in.sizes), " at dimension ", dim);
  if (index < 0) index += size;
  Geometry g = in;
  g.offset += index * in.strides[dim];
  g.sizes.erase(g.sizes.begin() + dim);
  g.strides.erase(g.strides.begin() + dim);
  return g;
}

Geometry layout_of(const Tensor& a) { return {a.sizes(), a.strides(), a.offset()}; }
Geometry contiguous_layout(const Shape& sizes) { return {sizes, contiguous_strides(sizes), 0}; }

Tensor view_with(const Tensor& a, const Geometry& g) { return Tensor::view_of(a, g.sizes, g.strides, g.offset); }

}  // namespace

// The view of a contiguous tensor that a Geometry describes; the backward of view_scatter.
Tensor strided_view(const Tensor& a, const Shape& sizes, const Geometry& g);

// view_scatter and strided_view, each the other's backward, save the same: a geometry and the
// sizes it is relative to.
struct SavesGeometry {
  struct Saved {
    Geometry g;
    Shape sizes;
  };
  static void save(Saved& s, const Tensor&, const Shape& sizes, const Geometry& g, const Tensor&) {
    s.g = g;
    s.sizes = sizes;
  }
};

// zeros of `sizes` with `grad` written where the geometry points: a view's backward.
struct ViewScatter : SavesGeometry {
  static constexpr const char* name = "view_scatter";
  static constexpr const char* node = "AsStridedScatterBackward0";
  static Tensor forward(const Tensor& grad, const Shape& sizes, const Geometry& g) {
    Tensor out = kernels::full(sizes, 0.0, grad.dtype());
    // Where the view repeats one element (a stride-0 dim, as in an expanded view), that
    // element's gradient is the sum of the repeats', not the last one written.
    Geometry once = g;
    DimList repeated;
    for (size_t d = 0; d < g.sizes.size(); ++d)
      if (g.strides[d] == 0 && g.sizes[d] > 1) repeated.push_back((int64_t)d), once.sizes[d] = 1;
    kernels::copy_into(view_with(out, once), repeated.empty() ? grad : sum(grad, repeated, true));
    return out;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {strided_view(grad, s.sizes, s.g)}; }
};

struct StridedView : SavesGeometry {
  static constexpr const char* name = "strided_view";
  static constexpr const char* node = "AsStridedBackward0";
  static Tensor forward(const Tensor& a, const Shape&, const Geometry& g) {
    // g is relative to a's first element: a contiguous `a` may itself start past its storage's
    // (a gradient that is a view of a bigger one).
    Tensor c = a.is_contiguous() ? a : kernels::contiguous_copy(a);
    return Tensor::view_of(c, g.sizes, g.strides, c.offset() + g.offset);
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    return {apply_op<ViewScatter>(grad, s.sizes, s.g)};
  }
};
Tensor strided_view(const Tensor& a, const Shape& sizes, const Geometry& g) {
  return apply_op<StridedView>(a, sizes, g);
}

// slice and select share the backward: scatter the gradient back where the view looked.
struct PartView {
  struct Saved {
    Shape sizes;
    Geometry g;  // relative to a contiguous input
  };
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {apply_op<ViewScatter>(grad, s.sizes, s.g)}; }
};

struct Slice : PartView {
  static constexpr const char* name = "slice";
  static constexpr const char* node = "SliceBackward0";
  static Tensor forward(const Tensor& a, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
                        int64_t step) {
    TG_CHECK(a.dim() > 0, Index, "slice() cannot be applied to a 0-dim tensor.");
    return view_with(a, slice_geometry(layout_of(a), wrap_dim(dim, a.dim()), start, end, step));
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
                   int64_t step, const Tensor&) {
    s.sizes = a.sizes();
    s.g = slice_geometry(contiguous_layout(a.sizes()), wrap_dim(dim, a.dim()), start, end, step);
  }
};

struct Select : PartView {
  static constexpr const char* name = "select";
  static constexpr const char* node = "SelectBackward0";
  static Tensor forward(const Tensor& a, int64_t dim, int64_t index) {
    TG_CHECK(a.dim() > 0, Index, "select() cannot be applied to a 0-dim tensor.");
    return view_with(a, select_geometry(layout_of(a), wrap_dim(dim, a.dim()), index));
  }
  static void save(Saved& s, const Tensor& a, int64_t dim, int64_t index, const Tensor&) {
    s.sizes = a.sizes();
    s.g = select_geometry(contiguous_layout(a.sizes()), wrap_dim(dim, a.dim()), index);
  }
};

Tensor slice(const Tensor& a, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
  return apply_op<Slice>(a, dim, start, end, step);
}
Tensor select(const Tensor& a, int64_t dim, int64_t index) { return apply_op<Select>(a, dim, index); }
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
  TG_CHECK(a.dim() > 0, Runtime, "narrow() cannot be applied to a 0-dim tensor.");
  TG_CHECK(length >= 0, Runtime, "narrow(): length must be non-negative.");
  int64_t d = wrap_dim(dim, a.dim()), size = a.sizes()[d];
  TG_CHECK(start >= -size && start <= size, Index, "start out of range (expected to be in range of [", -size, ", ",
           size, "], but got ", start, ")");
  if (start < 0) start += size;
  TG_CHECK(start <= size - length, Runtime, "start (", start, ") + length (", length,
           ") exceeds dimension size (", size, ").");
  return slice(a, d, start, start + length, 1);
}

Geometry geometry_of(const Tensor& view, const Tensor& base) {
  return {view.sizes(), view.strides(), view.offset() - base.offset()};
}

// self with `value` written into the part the geometry (relative to contiguous self)
// describes; `x[...] = v` is this, applied in place. PyTorch records it as CopySlices.
struct SlicePut {
  static constexpr const char* name = "slice_put";
  static constexpr const char* node = "torch::autograd::CopySlices";
  struct Saved {
    Geometry g;
    Shape value_sizes;
    DType value_dtype = DType::Float32;
  };
  static Tensor forward(const Tensor& self, const Tensor& value, const Geometry& g) {
    expand(value, g.sizes);  // PyTorch's check and message (a view: forward does not record)
    Tensor out = kernels::contiguous_copy(self);
    kernels::copy_into(view_with(out, g), value);
    return out;
  }
  static void save(Saved& s, const Tensor&, const Tensor& value, const Geometry& g, const Tensor&) {
    s.g = g;
    s.value_sizes = value.sizes();
    s.value_dtype = value.dtype();
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    Tensor part = strided_view(grad, grad.sizes(), s.g);
    Tensor gs, gv;
    // grad with the overwritten part set to zero (not grad - part: a NaN there must not stay).
    if (needs[0]) gs = slice_put(grad, zeros({}, grad.dtype()), s.g);
    if (needs[1]) gv = to_dtype(sum_to(part, s.value_sizes), s.value_dtype);
    return {gs, gv};
  }
};
Tensor slice_put(const Tensor& self, const Tensor& value, const Geometry& g) { return apply_op<SlicePut>(self, value, g); }

void register_slice_ops(std::vector<OpInfo>& ops) { register_ops<Slice, Select, SlicePut>(ops); }

}  // namespace tg
