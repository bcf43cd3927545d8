#include "core/shape.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"

namespace tg {

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << "]";
  return os.str();
}

int64_t checked_numel(const Shape& sizes) {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t s : sizes) {
    TG_CHECK(s >= 0, Runtime, "Trying to create tensor with negative dimension ", s, ": ",
             shape_str(sizes));
    if (__builtin_mul_overflow(n, s, &n)) overflow = true;
  }
  TG_CHECK(!overflow, Runtime, "Storage size calculation overflowed with sizes=", shape_str(sizes));
  return n;
}

Shape contiguous_strides(const Shape& sizes) {
  Shape strides(sizes.size());
  int64_t acc = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = acc;
    // Zeros count as ones, so a zero-size shape can still overflow (zeros(0, 2**62, 2**62)).
    TG_CHECK(!__builtin_mul_overflow(acc, std::max<int64_t>(sizes[i], 1), &acc) || i == 0, Runtime,
             "Stride calculation overflowed");
  }
  return strides;
}

int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = std::max<int64_t>(ndim, 1);  // a 0-d tensor accepts dims 0 and -1, like PyTorch
  TG_CHECK(dim >= -n && dim < n, Index, "Dimension out of range (expected to be in range of [", -n,
           ", ", n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t ia = (int64_t)i - (int64_t)(n - a.size());
    int64_t ib = (int64_t)i - (int64_t)(n - b.size());
    int64_t sa = ia >= 0 ? a[ia] : 1;
    int64_t sb = ib >= 0 ? b[ib] : 1;
    TG_CHECK(sa == sb || sa == 1 || sb == 1, Runtime, "The size of tensor a (", sa,
             ") must match the size of tensor b (", sb, ") at non-singleton dimension ", i);
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

std::optional<Shape> view_strides(const Shape& old_sizes, const Shape& old_strides,
                                  const Shape& sizes) {
  if (old_sizes.empty() || numel_of(old_sizes) == 0) {
    if (old_sizes == sizes) return old_strides;
    // An empty view never reads memory: its strides may wrap around as PyTorch's do
    // (view(0, 2**62, 2**62) is allowed), in unsigned arithmetic.
    Shape strides(sizes.size());
    uint64_t acc = 1;
    for (size_t i = sizes.size(); i-- > 0;) {
      strides[i] = (int64_t)acc;
      acc *= (uint64_t)std::max<int64_t>(sizes[i], 1);
    }
    return strides;
  }
  // Walk the old dims from the innermost out, grouping runs that are contiguous with each other
  // (a "chunk" behaves like one flat dim); the new dims must tile each chunk exactly.
  Shape strides(sizes.size());
  int64_t new_d = (int64_t)sizes.size() - 1;
  int64_t chunk_elems = 1;
  int64_t chunk_base_stride = old_strides.back();
  for (int64_t d = (int64_t)old_sizes.size() - 1; d >= 0; --d) {
    chunk_elems *= old_sizes[d];
    bool chunk_ends = d == 0 || (old_sizes[d - 1] != 1 &&
                                 old_strides[d - 1] != chunk_elems * chunk_base_stride);
    if (!chunk_ends) continue;
    int64_t view_elems = 1;
    while (new_d >= 0 && (view_elems < chunk_elems || sizes[new_d] == 1)) {
      strides[new_d] = view_elems * chunk_base_stride;
      view_elems *= sizes[new_d];
      --new_d;
    }
    if (view_elems != chunk_elems) return std::nullopt;
    if (d > 0) {
      chunk_base_stride = old_strides[d - 1];
      chunk_elems = 1;
    }
  }
  if (new_d != -1) return std::nullopt;
  return strides;
}

Shape infer_size(const Shape& requested, int64_t numel) {
  Shape out = requested;
  int64_t known = 1;
  int64_t infer_at = -1;
  // A zero anywhere makes the product zero, however big the other sizes (no overflow then).
  const bool has_zero = std::find(requested.begin(), requested.end(), 0) != requested.end();
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      TG_CHECK(infer_at < 0, Runtime, "only one dimension can be inferred");
      infer_at = (int64_t)i;
    } else {
      TG_CHECK(out[i] >= 0, Runtime, "invalid shape dimension ", out[i], " at index ", i, " of shape ",
               shape_str(requested));
      // An overflowing product can never equal a real numel: report the shape as invalid.
      if (has_zero) continue;
      TG_CHECK(!__builtin_mul_overflow(known, out[i], &known), Runtime, "shape '", shape_str(requested),
               "' is invalid for input of size ", numel);
    }
  }
  if (has_zero) known = 0;
  if (infer_at >= 0) {
    TG_CHECK(!(known == 0 && numel == 0), Runtime, "cannot reshape tensor of 0 elements into shape ",
             shape_str(requested), " because the unspecified dimension size -1 can be any value and is ambiguous");
    TG_CHECK(known != 0 && numel % known == 0, Runtime, "shape '", shape_str(requested),
             "' is invalid for input of size ", numel);
    out[infer_at] = numel / known;
  } else {
    TG_CHECK(known == numel, Runtime, "shape '", shape_str(requested),
             "' is invalid for input of size ", numel);
  }
  return out;
}

}  // namespace tg
