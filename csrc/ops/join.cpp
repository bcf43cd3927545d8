// Ops that join, repeat or reorder whole tensors: cat, stack, repeat, flip.
#include <algorithm>

#include "kernels/copy.h"
#include "ops/op.h"
#include "ops/ops.h"
#include "ops/registry.h"

namespace tg {

namespace {

DType list_dtype(const TensorList& ts) {
  DType d = ts[0].dtype();
  for (size_t i = 1; i < ts.size(); ++i) d = promote(d, ts[i].dtype());
  return d;
}

// PyTorch skips 1-D empty tensors in cat (a legacy rule for building results incrementally).
bool skipped(const Tensor& t) { return t.dim() == 1 && t.numel() == 0; }

}  // namespace

struct Cat {
  static constexpr const char* name = "cat";
  static constexpr const char* node = "CatBackward0";
  struct Saved {
    int64_t dim = 0;
    std::vector<int64_t> lengths;  // size of each input along dim (-1: skipped)
    std::vector<DType> dtypes;
  };
  static int64_t checked_dim(const TensorList& ts, int64_t dim) {
    TG_CHECK(!ts.empty(), Value, "torch.cat(): expected a non-empty list of Tensors");
    const Tensor* ref = nullptr;
    for (const Tensor& t : ts)
      if (!skipped(t)) { ref = &t; break; }
    if (!ref) return 0;
    TG_CHECK(ref->dim() > 0, Runtime, "zero-dimensional tensor (at position 0) cannot be concatenated");
    int64_t d = wrap_dim(dim, ref->dim());
    for (size_t i = 0; i < ts.size(); ++i) {
      const Tensor& t = ts[i];
      if (skipped(t)) continue;
      TG_CHECK(t.dim() == ref->dim(), Runtime, "Tensors must have same number of dimensions: got ", ref->dim(),
               " and ", t.dim());
      for (int64_t k = 0; k < t.dim(); ++k)
        TG_CHECK(k == d || t.sizes()[k] == ref->sizes()[k], Runtime, "Sizes of tensors must match except in dimension ",
                 d, ". Expected size ", ref->sizes()[k], " but got size ", t.sizes()[k], " for tensor number ", i,
                 " in the list.");
    }
    return d;
  }
  static Tensor forward(const TensorList& ts, int64_t dim) {
    int64_t d = checked_dim(ts, dim);
    const Tensor* ref = &ts[0];
    for (const Tensor& t : ts)
      if (!skipped(t)) { ref = &t; break; }
    Shape sizes = ref->sizes();
    if (sizes.empty()) return Tensor::empty({0}, list_dtype(ts));
    sizes[d] = 0;
    for (const Tensor& t : ts)
      if (!skipped(t)) sizes[d] += t.sizes()[d];
    Tensor out = Tensor::empty(sizes, list_dtype(ts));
    int64_t at = 0;
    for (const Tensor& t : ts) {
      if (skipped(t)) continue;
      Shape part = sizes;
      part[d] = t.sizes()[d];
      kernels::copy_into(Tensor::view_of(out, part, out.strides(), at * out.strides()[d]), t);
      at += t.sizes()[d];
    }
    return out;
  }
  static void save(Saved& s, const TensorList& ts, int64_t dim, const Tensor&) {
    s.dim = checked_dim(ts, dim);
    for (const Tensor& t : ts) {
      s.lengths.push_back(skipped(t) ? -1 : t.sizes()[s.dim]);
      s.dtypes.push_back(t.dtype());
    }
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    TensorList out;
    int64_t at = 0;
    for (size_t i = 0; i < s.lengths.size(); ++i) {
      if (s.lengths[i] < 0) {
        out.push_back(needs[i] ? zeros({0}, s.dtypes[i]) : Tensor());
        continue;
      }
      out.push_back(needs[i] ? to_dtype(slice(grad, s.dim, at, at + s.lengths[i], 1), s.dtypes[i]) : Tensor());
      at += s.lengths[i];
    }
    return out;
  }
};

struct Stack {
  static constexpr const char* name = "stack";
  static constexpr const char* node = "StackBackward0";
  struct Saved {
    int64_t dim = 0;
    size_t count = 0;
    std::vector<DType> dtypes;
  };
  static Tensor forward(const TensorList& ts, int64_t dim) {
    TG_CHECK(!ts.empty(), Runtime, "stack expects a non-empty TensorList");
    int64_t d = wrap_dim(dim, ts[0].dim() + 1);
    TensorList parts;
    for (size_t i = 0; i < ts.size(); ++i) {
      TG_CHECK(ts[i].sizes() == ts[0].sizes(), Runtime, "stack expects each tensor to be equal size, but got ",
               shape_str(ts[0].sizes()), " at entry 0 and ", shape_str(ts[i].sizes()), " at entry ", i);
      parts.push_back(unsqueeze(ts[i], d));  // forward runs without recording: plain views
    }
    return Cat::forward(parts, d);
  }
  static void save(Saved& s, const TensorList& ts, int64_t dim, const Tensor&) {
    s.dim = wrap_dim(dim, ts[0].dim() + 1);
    s.count = ts.size();
    for (const Tensor& t : ts) s.dtypes.push_back(t.dtype());
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs needs) {
    TensorList out;
    for (size_t i = 0; i < s.count; ++i)
      out.push_back(needs[i] ? to_dtype(select(grad, s.dim, (int64_t)i), s.dtypes[i]) : Tensor());
    return out;
  }
};

Tensor cat(const TensorList& ts, int64_t dim) { return apply_list_op<Cat>(ts, dim); }
Tensor stack(const TensorList& ts, int64_t dim) { return apply_list_op<Stack>(ts, dim); }

// repeat: viewed as (r0, s0, r1, s1, ...) with stride 0 along each r, copied, then merged.
struct Repeat {
  static constexpr const char* name = "repeat";
  static constexpr const char* node = "RepeatBackward0";
  struct Saved {
    Shape sizes, repeats;
  };
  static Tensor forward(const Tensor& a, const Shape& repeats) {
    TG_CHECK((int64_t)repeats.size() >= a.dim(), Runtime,
             "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
    const size_t lead = repeats.size() - a.dim();
    Shape sizes, strides, merged;
    bool overflow = false;
    for (size_t i = 0; i < repeats.size(); ++i) {
      int64_t s = i < lead ? 1 : a.sizes()[i - lead], st = i < lead ? 0 : a.strides()[i - lead];
      sizes.push_back(repeats[i]), strides.push_back(0);
      sizes.push_back(s), strides.push_back(st);
      int64_t m = 0;
      overflow |= __builtin_mul_overflow(repeats[i], s, &m);
      merged.push_back(m);
    }
    // PyTorch checks the result's sizes: a negative repeat shows there as size * repeat.
    for (int64_t m : merged)
      TG_CHECK(overflow || m >= 0, Runtime, "Trying to create tensor with negative dimension ", m, ": ", shape_str(merged));
    // An empty result copies nothing (its spread-out intermediate may not even have a size).
    if (!overflow && std::find(merged.begin(), merged.end(), 0) != merged.end()) return Tensor::empty(merged, a.dtype());
    TG_CHECK(!overflow, Runtime, "Storage size calculation overflowed with sizes=", shape_str(sizes));
    Tensor spread = kernels::contiguous_copy(Tensor::view_of(a, sizes, strides, a.offset()));
    return Tensor::view_of(spread, merged, contiguous_strides(merged), 0);
  }
  static void save(Saved& s, const Tensor& a, const Shape& repeats, const Tensor&) {
    s.sizes = a.sizes();
    s.repeats = repeats;
  }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) {
    // An empty result (a zero repeat, or an empty input that even a negative repeat keeps
    // empty, as PyTorch allows) sends nothing back.
    if (grad.numel() == 0) return {zeros(s.sizes, grad.dtype())};
    const size_t lead = s.repeats.size() - s.sizes.size();
    Shape split;
    DimList over;
    for (size_t i = 0; i < s.repeats.size(); ++i) {
      over.push_back(2 * (int64_t)i);
      split.push_back(s.repeats[i]);
      split.push_back(i < lead ? 1 : s.sizes[i - lead]);
    }
    return {reshape(sum(reshape(grad, split), over, false), s.sizes)};
  }
};
Tensor repeat(const Tensor& a, const Shape& repeats) { return apply_op<Repeat>(a, repeats); }

struct Flip {
  static constexpr const char* name = "flip";
  static constexpr const char* node = "FlipBackward0";
  struct Saved {
    DimList dims;
  };
  static Tensor forward(const Tensor& a, const DimList& dims) {
    Shape strides = a.strides();
    int64_t offset = a.offset();
    SmallVector<bool, 6> seen(std::max<int64_t>(a.dim(), 1), false);
    for (int64_t d : dims) {
      int64_t w = wrap_dim(d, a.dim());
      TG_CHECK(!seen[w], Runtime, "dim ", w, " appears multiple times in the list of dims");
      seen[w] = true;
      if (a.dim() == 0) continue;
      if (a.sizes()[w] > 0) offset += (a.sizes()[w] - 1) * strides[w];
      strides[w] = -strides[w];
    }
    return kernels::contiguous_copy(Tensor::view_of(a, a.sizes(), strides, offset));
  }
  static void save(Saved& s, const Tensor&, const DimList& dims, const Tensor&) { s.dims = dims; }
  static TensorList backward(Saved& s, const Tensor& grad, Needs) { return {flip(grad, s.dims)}; }
};
Tensor flip(const Tensor& a, const DimList& dims) { return apply_op<Flip>(a, dims); }

void register_join_ops(std::vector<OpInfo>& ops) { register_ops<Cat, Stack, Repeat, Flip>(ops); }

}  // namespace tg
